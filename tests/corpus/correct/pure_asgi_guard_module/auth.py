"""Session guard applied to every http request and websocket of the app."""

from __future__ import annotations

import secrets

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "sid"
PUBLIC_PATHS = frozenset({"/_stcore/health", "/login"})

SESSIONS: dict[str, str] = {}


def open_session(username: str) -> str:
    token = secrets.token_urlsafe(32)
    SESSIONS[token] = username
    return token


def user_for(token: str | None) -> str | None:
    return SESSIONS.get(token) if token else None


class SessionGuard:
    def __init__(self, app: ASGIApp, cookie_name: str = SESSION_COOKIE) -> None:
        self.app = app
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if conn.url.path in PUBLIC_PATHS or user_for(conn.cookies.get(self.cookie_name)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)
