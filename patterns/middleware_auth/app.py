"""Pattern: a signed-cookie login that guards the page, Streamlit's /_stcore/ endpoints AND the websocket.

Run from any directory (demo values; set real ones in production):
    ST_AUTH_SECRET=$(python -c 'import secrets; print(secrets.token_hex(32))') ST_AUTH_PASSWORD=... \
    uvicorn app:app --app-dir /path/to/middleware_auth --port 8501
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

SECRET = os.environ.get("ST_AUTH_SECRET", "").encode()
PASSWORD = os.environ.get("ST_AUTH_PASSWORD", "")
USER = os.environ.get("ST_AUTH_USER", "admin")

COOKIE = "st_session"
SESSION_SECONDS = 8 * 3600
# Exempt exactly what must work without a session: the login flow and the load balancer's health check.
# NOT all of /_stcore/: that prefix holds the websocket, host-config, uploads and the agent API.
PUBLIC_PATHS = frozenset({"/login", "/logout", "/_stcore/health"})


def _sign(payload: str) -> str:
    return hmac.new(SECRET, payload.encode(), hashlib.sha256).hexdigest()


def make_session(user: str, now: float | None = None) -> str:
    """Cookie value `user.expiry.signature`; the HMAC covers user AND expiry, so neither can be edited."""
    issued = time.time() if now is None else now
    payload = f"{user}.{int(issued + SESSION_SECONDS)}"
    return f"{payload}.{_sign(payload)}"


def session_user(value: str | None, now: float | None = None) -> str | None:
    """The user of a valid, unexpired session cookie, else None."""
    if not value or value.count(".") < 2:
        return None
    payload, _, signature = value.rpartition(".")
    user, _, expiry = payload.rpartition(".")
    if not hmac.compare_digest(signature, _sign(payload)):  # constant time: no byte-by-byte timing oracle
        return None
    if not expiry.isdigit() or int(expiry) < (time.time() if now is None else now):
        return None
    return user


def _same(a: str, b: str) -> bool:
    """Constant-time string equality that does not leak the length either (compares fixed-size digests)."""
    return hmac.compare_digest(hashlib.sha256(a.encode()).digest(), hashlib.sha256(b.encode()).digest())


class AuthMiddleware:
    """Pure ASGI, so it sees websockets too (BaseHTTPMiddleware never does: the socket would stay open)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        user = session_user(HTTPConnection(scope).cookies.get(COOKIE))
        if user is not None:
            scope.setdefault("state", {})["user"] = user  # your own routes can read request.state.user
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Closing BEFORE accepting makes the server answer the handshake with HTTP 403:
            # Streamlit never creates a session, so the script never runs for this client.
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope["method"] in ("GET", "HEAD") and not scope["path"].startswith("/_stcore/"):
            response = RedirectResponse("/login", status_code=303)  # a person opening a page: send them to log in
        else:
            response = PlainTextResponse("authentication required", status_code=401)  # fetch/API calls
        await response(scope, receive, send)


LOGIN_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main style="max-width:20rem;margin:4rem auto;font-family:sans-serif">
<h1>Sign in</h1>{error}
<form method="post" action="/login">
<label>User <input name="username" autocomplete="username" required></label><br><br>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label><br><br>
<button type="submit">Sign in</button></form></main></body></html>"""

LOGOUT_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body><main style="max-width:20rem;margin:4rem auto;font-family:sans-serif">
<form method="post" action="/logout"><button type="submit">Sign out</button></form></main></body></html>"""


async def login(request: Request) -> Response:
    if request.method == "GET":
        return HTMLResponse(LOGIN_FORM.format(error=""))
    form = await request.form()
    user_ok = _same(str(form.get("username", "")), USER)
    password_ok = _same(str(form.get("password", "")), PASSWORD)
    if not (user_ok and password_ok):
        return HTMLResponse(LOGIN_FORM.format(error="<p>Wrong user or password.</p>"), status_code=401)
    response = RedirectResponse("/", status_code=303)  # 303: the browser follows with a GET
    response.set_cookie(
        COOKIE,
        make_session(USER),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,  # page JavaScript (and any XSS) cannot read it
        samesite="lax",  # not sent on cross-site POSTs or subresource requests
        secure=request.url.scheme == "https",  # Secure over plain http means the browser never sends it back
    )
    return response


async def logout(request: Request) -> Response:
    if request.method == "GET":
        return HTMLResponse(LOGOUT_FORM)  # signing out changes state: do it on POST, not on a followed link
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@asynccontextmanager
async def require_secrets(_app: App) -> AsyncIterator[None]:
    """Refuse to START (importing stays possible for tools and tests): a guard with no secret is no guard."""
    if len(SECRET) < 32 or not PASSWORD:
        raise RuntimeError("Set ST_AUTH_SECRET (32+ random characters) and ST_AUTH_PASSWORD before starting the app.")
    yield


app = App(
    HERE / "ui.py",
    lifespan=require_secrets,
    routes=[Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout, methods=["GET", "POST"])],
    middleware=[Middleware(AuthMiddleware)],
)
