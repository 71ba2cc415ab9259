import os
from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from streamlit.starlette import App

from guard import KeyGuard

API_KEY = os.environ.get("OPS_API_KEY", "")


async def signin(request: Request):
    if request.method == "POST":
        form = await request.form()
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie("ops_key", str(form.get("key", "")), httponly=True, secure=request.url.scheme == "https")
        return response
    return HTMLResponse('<form method="post"><input name="key" type="password"><button>Go</button></form>')


app = App(
    Path(__file__).resolve().parent / "ops.py",
    routes=[Route("/signin", signin, methods=["GET", "POST"])],
    middleware=[Middleware(KeyGuard, api_key=API_KEY)],
)
