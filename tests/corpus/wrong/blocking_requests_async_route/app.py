from pathlib import Path

from starlette.routing import Route
from streamlit.starlette import App

from weather import forecast

app = App(
    Path(__file__).resolve().parent / "ui.py",
    routes=[Route("/api/forecast", forecast)],
)
