from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from streamlit.starlette import App

from auth import SESSION_COOKIE, VALID_TOKENS, CookieAuthMiddleware


async def login(request: Request):
    if request.method == "POST":
        token = str((await request.form()).get("token", ""))
        if token in VALID_TOKENS:
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=request.url.scheme == "https")
            return response
    return HTMLResponse('<form method="post"><input name="token" type="password"><button>Enter</button></form>')


app = App(
    Path(__file__).resolve().parent / "dashboard.py",
    routes=[Route("/login", login, methods=["GET", "POST"])],
    middleware=[Middleware(CookieAuthMiddleware)],
)
