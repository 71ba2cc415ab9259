"""Customer portal: a function-style ASGI guard in front of the whole App."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.routing import Route

from login import COOKIE, sign_in, token_ok

OPEN = {"/login", "/_stcore/health"}


def require_login(app):
    async def guarded(scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope["path"] not in OPEN:
            if not token_ok(HTTPConnection(scope).cookies.get(COOKIE)):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await RedirectResponse("/login", status_code=303)(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


app = st.App(
    Path(__file__).resolve().parent / "portal.py",
    routes=[Route("/login", sign_in, methods=["GET", "POST"])],
    middleware=[Middleware(require_login)],
)
