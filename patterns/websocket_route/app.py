"""Pattern: a live JSON websocket feed (/ws/ticks) beside Streamlit's own websocket, both behind ONE guard.

One pure ASGI middleware checks every http AND websocket scope (a signed session cookie, or a bearer token for
programs), so /_stcore/stream and /ws/ticks refuse the same clients before the handshake is accepted. The feed
also checks the Origin header itself: Streamlit does that for its own socket only.

Run from any directory (demo values; set real ones in production):
    ST_FEED_SECRET=$(python -c 'import secrets; print(secrets.token_hex(32))') ST_FEED_TOKEN=... \
    uvicorn app:app --app-dir /path/to/websocket_route --port 8501
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from streamlit.starlette import App
from ticker import SYMBOLS, price  # same folder: uvicorn --app-dir puts it on sys.path

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

SECRET = os.environ.get("ST_FEED_SECRET", "").encode()  # signs session cookies
TOKEN = os.environ.get("ST_FEED_TOKEN", "")  # what a person types at /login, or a program sends as a bearer token
# Origins (scheme://host[:port]) besides the app's own that may open the feed; same-origin is always allowed.
EXTRA_ORIGINS = frozenset(o.strip() for o in os.environ.get("ST_FEED_ORIGINS", "").split(",") if o.strip())

COOKIE = "feed_session"
SESSION_SECONDS = 8 * 3600
TICK_SECONDS = 0.5
PUBLIC_PATHS = frozenset({"/login", "/_stcore/health"})  # exact paths, never a prefix such as /_stcore/


def _sign(payload: str) -> str:
    return hmac.new(SECRET, payload.encode(), hashlib.sha256).hexdigest()


def make_session(now: float | None = None) -> str:
    """Cookie value `expiry.signature`: the HMAC covers the expiry, so it cannot be pushed out."""
    expiry = str(int((time.time() if now is None else now) + SESSION_SECONDS))
    return f"{expiry}.{_sign(expiry)}"


def valid_session(value: str | None) -> bool:
    expiry, _, signature = (value or "").partition(".")
    if not expiry.isdigit() or not hmac.compare_digest(signature, _sign(expiry)):
        return False
    return int(expiry) >= time.time()


def _same(a: str, b: str) -> bool:
    """Constant-time equality that leaks neither content nor length (compares fixed-size digests)."""
    return hmac.compare_digest(hashlib.sha256(a.encode()).digest(), hashlib.sha256(b.encode()).digest())


def has_credentials(conn: HTTPConnection) -> bool:
    """A browser sends the session cookie (it cannot set headers on a websocket); a program may send a bearer."""
    scheme, _, bearer = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and bearer and _same(bearer, TOKEN):
        return True
    return valid_session(conn.cookies.get(COOKIE))


class FeedGuard:
    """Pure ASGI: it sees websocket scopes, so Streamlit's socket and the feed are refused by the same check."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        if has_credentials(HTTPConnection(scope)):  # HTTPConnection works for both scope types; Request does not
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Close BEFORE accept: uvicorn answers the handshake with HTTP 403, neither socket is ever opened.
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope["method"] in ("GET", "HEAD") and not scope["path"].startswith("/_stcore/"):
            response = RedirectResponse("/login", status_code=303)
        else:
            response = PlainTextResponse("authentication required", status_code=401)
        await response(scope, receive, send)


def origin_allowed(websocket: WebSocket) -> bool:
    """No Origin (a program) or the page's own origin; anything else is another site using the user's cookie.

    Browsers attach cookies to a websocket handshake from any page and websockets have no CORS, so without this
    check a page on another origin could read the feed as the signed-in user (cross-site websocket hijacking).
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in EXTRA_ORIGINS:
        return True
    parts = urlsplit(origin)
    # Compare scheme too: http://host must not pass for a wss:// app. websocket.url.scheme is ws or wss.
    expected_scheme = "https" if websocket.url.scheme == "wss" else "http"
    return parts.scheme == expected_scheme and parts.netloc == websocket.headers.get("host", "")


async def ticks(websocket: WebSocket) -> None:
    """Stream `{"type":"tick",...}` every TICK_SECONDS; `{"subscribe": "ACME"}` narrows it to one symbol."""
    if not origin_allowed(websocket):
        await websocket.close(code=1008)  # before accept: the handshake fails with 403
        return
    await websocket.accept()
    subscribed: list[str] = sorted(SYMBOLS)
    loop = asyncio.get_running_loop()
    next_tick = loop.time()
    try:
        await websocket.send_json({"type": "hello", "symbols": subscribed})
        while True:
            if loop.time() >= next_tick:
                for symbol in subscribed:
                    await websocket.send_json({"type": "tick", "symbol": symbol, "price": price(symbol)})
                next_tick = loop.time() + TICK_SECONDS
            try:
                # One task both reads and sends (two tasks sending on one socket can interleave frames). Waiting
                # for a message with a timeout keeps ticks flowing AND notices a disconnect at once; cancelling
                # receive on the timeout loses nothing (it only waits on the server's message queue).
                message = await asyncio.wait_for(websocket.receive(), timeout=max(next_tick - loop.time(), 0))
            except TimeoutError:
                continue
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or ""  # a binary frame carries "bytes" instead: treated as a bad message
            try:
                symbol = json.loads(text).get("subscribe")
            except (json.JSONDecodeError, AttributeError):
                symbol = None
            if symbol not in SYMBOLS:
                await websocket.send_json({"type": "error", "detail": f"unknown subscribe message {text[:80]!r}"})
                continue
            subscribed = [symbol]
            await websocket.send_json({"type": "subscribed", "symbol": symbol})
            next_tick = loop.time()  # answer a subscription with a fresh tick right away
    except (WebSocketDisconnect, OSError):
        return  # the client went away: nothing to clean up, the loop simply ends


async def ticks_over_http(_request: Request) -> Response:
    """A plain GET on the feed path: without this route it falls through to Streamlit's catch-all page (200)."""
    return PlainTextResponse("this is a websocket endpoint", status_code=426, headers={"Upgrade": "websocket"})


LOGIN_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main style="max-width:20rem;margin:4rem auto;font-family:sans-serif"><h1>Sign in</h1>{error}
<form method="post" action="/login"><label>Access token <input name="token" type="password" required></label>
<button type="submit">Sign in</button></form></main></body></html>"""


async def login(request: Request) -> Response:
    if request.method == "GET":
        return HTMLResponse(LOGIN_FORM.format(error=""))
    form = await request.form()
    if not _same(str(form.get("token", "")), TOKEN):
        return HTMLResponse(LOGIN_FORM.format(error="<p>Wrong token.</p>"), status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        make_session(),
        max_age=SESSION_SECONDS,
        path="/",  # both sockets live under / : /_stcore/stream and /ws/ticks
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@asynccontextmanager
async def require_secrets(_app: App) -> AsyncIterator[None]:
    """Refuse to START without secrets (importing stays possible for tools and tests)."""
    if len(SECRET) < 32 or not TOKEN:
        raise RuntimeError("Set ST_FEED_SECRET (32+ random characters) and ST_FEED_TOKEN before starting the app.")
    yield


app = App(
    HERE / "ui.py",
    lifespan=require_secrets,
    routes=[
        Route("/login", login, methods=["GET", "POST"]),
        # Route matches http scopes only, WebSocketRoute websocket scopes only: both can share the path.
        WebSocketRoute("/ws/ticks", ticks),
        Route("/ws/ticks", ticks_over_http),
    ],
    middleware=[Middleware(FeedGuard)],  # wraps Streamlit's routes too, so /_stcore/stream is guarded as well
)
