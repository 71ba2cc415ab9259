from pathlib import Path

from starlette.middleware import Middleware
from streamlit.starlette import App

from middleware import TokenMiddleware

app = App(
    Path(__file__).resolve().parent / "ui.py",
    middleware=[Middleware(TokenMiddleware)],
)
