import hmac
from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from streamlit.starlette import App

from gate import AUTH_COOKIE, SECRET, AuthGate


async def login(request: Request):
    offered = str((await request.form()).get("secret", "")) if request.method == "POST" else ""
    if SECRET and offered and hmac.compare_digest(offered, SECRET):
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(AUTH_COOKIE, SECRET, httponly=True, secure=request.url.scheme == "https")
        return response
    return HTMLResponse('<form method="post"><input name="secret" type="password"><button>Open</button></form>')


app = App(
    Path(__file__).resolve().parent / "surface.py",
    routes=[Route("/_auth/login", login, methods=["GET", "POST"])],
    middleware=[Middleware(AuthGate)],
)
