from pathlib import Path

from starlette.middleware import Middleware
from streamlit.starlette import App

from security import SecurityHeadersMiddleware

app = App(
    Path(__file__).resolve().parent / "clinic.py",
    middleware=[Middleware(SecurityHeadersMiddleware)],
)
