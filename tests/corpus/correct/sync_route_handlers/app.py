from pathlib import Path

from starlette.routing import Route
from streamlit.starlette import App

from api import export_csv, geocode, slow_report

app = App(
    Path(__file__).resolve().parent / "ui.py",
    routes=[
        Route("/api/export.csv", export_csv),
        Route("/api/geocode", geocode),
        Route("/api/report", slow_report),
    ],
)
