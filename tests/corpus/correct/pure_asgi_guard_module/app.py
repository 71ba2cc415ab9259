"""Entry point: uvicorn app:app, or streamlit run app.py."""

from pathlib import Path

from starlette.middleware import Middleware
from starlette.routing import Route
from streamlit.starlette import App

from auth import SESSION_COOKIE, SessionGuard
from login import login_form, login_submit

app = App(
    Path(__file__).resolve().parent / "ui.py",
    routes=[
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
    ],
    middleware=[Middleware(SessionGuard, cookie_name=SESSION_COOKIE)],
)
