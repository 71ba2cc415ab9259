from pathlib import Path

from starlette.routing import Route
from streamlit.starlette import App

from pwa import manifest, service_worker

app = App(
    Path(__file__).resolve().parent / "notes.py",
    routes=[
        Route("/manifest.webmanifest", manifest),
        Route("/sw.js", service_worker),
    ],
)
