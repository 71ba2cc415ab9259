import hmac
from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from streamlit.starlette import App

from guard import TOKEN, TokenGuard


async def login(request: Request):
    if request.method == "POST":
        offered = str((await request.form()).get("token", ""))
        if TOKEN and hmac.compare_digest(offered, TOKEN):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie("app_token", offered, httponly=True, secure=request.url.scheme == "https")
            return response
    return HTMLResponse('<form method="post"><input name="token" type="password"><button>Go</button></form>')


app = App(
    Path(__file__).resolve().parent / "ui.py",
    routes=[Route("/login", login, methods=["GET", "POST"])],
    middleware=[Middleware(TokenGuard)],
)
