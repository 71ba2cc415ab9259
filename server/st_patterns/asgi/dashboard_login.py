"""Login for the dashboard when the server runs with a token: a signed, HttpOnly, SameSite=Strict cookie.

The guard is pure ASGI and covers the dashboard's websocket too (Streamlit's UI runs over
``/dashboard/_stcore/stream``): without a valid session the page redirects to /login, other requests get
401 and the websocket handshake is refused. Only ``/dashboard/_stcore/health`` stays open, for probes.
A request carrying the token as ``Authorization: Bearer`` is let through as well (scripts, tests).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
import time
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from st_patterns.asgi.tokens import token_matches

COOKIE = "st_patterns_session"
SESSION_SECONDS = 12 * 3600
PUBLIC_SUFFIXES = ("/_stcore/health",)

_FORM = """<!doctype html><html><head><meta charset="utf-8"><title>st-patterns login</title>
<style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;height:90vh;background:#f6f7f9}}
form{{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002;min-width:320px}}
input{{width:100%;padding:.6rem;margin:.5rem 0 1rem;box-sizing:border-box}}button{{padding:.6rem 1.2rem}}
.err{{color:#b00020}}</style></head><body><form method="post" action="/login">
<h2>st-patterns dashboard</h2><p>Enter the server's access token.</p>{error}
<input type="password" name="token" autocomplete="current-password" autofocus>
<input type="hidden" name="next" value="{next}"><button type="submit">Sign in</button></form></body></html>"""


class Sessions:
    """Issues and verifies session cookie values: ``<expiry>.<hmac>``, keyed per server process.

    Example::

        sessions = Sessions(token="s3cret")
        assert sessions.valid(sessions.issue())
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self._key = secrets.token_bytes(32)

    def _sign(self, expiry: str) -> str:
        return hmac.new(self._key, expiry.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        expiry = str(int(time.time()) + SESSION_SECONDS)
        return f"{expiry}.{self._sign(expiry)}"

    def valid(self, value: str | None) -> bool:
        if not value or "." not in value:
            return False
        expiry, signature = value.split(".", 1)
        if not expiry.isdigit() or int(expiry) < time.time():
            return False
        return hmac.compare_digest(signature, self._sign(expiry))

    def token_ok(self, candidate: str | None) -> bool:
        return token_matches(self.token, candidate)

    def bearer_ok(self, headers: Headers) -> bool:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(credentials.strip())


def _safe_next(value: str) -> str:
    """Only local dashboard paths: no open redirect to another site."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/dashboard"):
        return "/dashboard/"
    return value


class DashboardAuthMiddleware:
    """Wraps the dashboard app; lets a request in only with a valid session cookie or the bearer token."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        headers = Headers(scope=scope)
        if path.endswith(PUBLIC_SUFFIXES) or self._authenticated(headers):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope["method"] == "GET" and "/_stcore/" not in path:
            response = RedirectResponse(f"/login?next={quote('/dashboard/')}", status_code=303)
        else:
            response = PlainTextResponse("Sign in at /login first.", status_code=401)
        await response(scope, receive, send)

    def _authenticated(self, headers: Headers) -> bool:
        cookies = Request({"type": "http", "headers": headers.raw}).cookies
        return self.sessions.valid(cookies.get(COOKIE)) or self.sessions.bearer_ok(headers)


def login_endpoints(sessions: Sessions) -> tuple:  # type: ignore[type-arg]
    """The /login (GET form, POST token) and /logout endpoints."""

    async def login(request: Request) -> Response:
        if request.method == "GET":
            nxt = html.escape(_safe_next(request.query_params.get("next", "/dashboard/")))
            return HTMLResponse(_FORM.format(error="", next=nxt))
        form = await request.form()
        nxt = _safe_next(str(form.get("next", "/dashboard/")))
        if not sessions.token_ok(str(form.get("token", ""))):
            error = '<p class="err">That token is not right.</p>'
            return HTMLResponse(_FORM.format(error=error, next=html.escape(nxt)), status_code=401)
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(
            COOKIE,
            sessions.issue(),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return login, logout
