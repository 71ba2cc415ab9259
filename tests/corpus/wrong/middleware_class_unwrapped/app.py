from pathlib import Path

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from streamlit.starlette import App

from request_id import RequestIdMiddleware

app = App(
    Path(__file__).resolve().parent / "ui.py",
    middleware=[
        Middleware(GZipMiddleware, minimum_size=500),
        RequestIdMiddleware,
    ],
)
