"""Pattern: a per-client-IP token bucket on the /api sub-app only; Streamlit's page, assets, /_stcore/ and the
websocket are never throttled.

The limiter wraps the mounted API router instead of the whole app, so it cannot see Streamlit's traffic at all:
a page load fetches dozens of assets and the websocket reconnects on every network hiccup, and none of that may
ever answer 429. It keys on scope["client"], the TCP peer, so the app is served with --no-proxy-headers (see
explanation.md for running behind a proxy).

Run from any directory:  uvicorn app:app --app-dir /path/to/rate_limit --port 8501 --no-proxy-headers
"""

from __future__ import annotations

import math
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, Router, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

BURST = int(os.environ.get("API_RATE_BURST", "5"))  # requests a client may make at once
PER_MINUTE = float(os.environ.get("API_RATE_PER_MINUTE", "5"))  # sustained rate: tokens refilled per minute
MAX_CLIENTS = 10_000  # bound the table: one entry per client IP seen recently


@dataclass
class Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """Pure ASGI token bucket per client IP, for the one sub-app it wraps (here: the /api router).

    No lock: the check and the update run without an await in between, so on one event loop they cannot
    interleave. Each worker process keeps its own table: with N workers a client gets N times the rate.
    """

    def __init__(self, app: ASGIApp, *, burst: int, per_minute: float) -> None:
        self.app = app
        self.burst = burst
        self.rate = per_minute / 60.0  # tokens per second
        self.buckets: dict[str, Bucket] = {}

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket has refilled completely: they are indistinguishable from new ones."""
        full_after = self.burst / self.rate
        self.buckets = {ip: b for ip, b in self.buckets.items() if now - b.updated < full_after}

    def take(self, key: str, now: float | None = None) -> tuple[bool, float, float]:
        """Spend one token of `key`: (allowed, tokens left, seconds until the next token)."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_CLIENTS:
                self._prune(now)
            bucket = self.buckets[key] = Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, bucket.tokens, 0.0
        return False, bucket.tokens, (1 - bucket.tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)  # lifespan, and CORS preflights (they carry no work)
            return
        # scope["client"] is the TCP peer unless uvicorn rewrote it from X-Forwarded-For (--proxy-headers).
        client = scope.get("client")
        key = client[0] if client else "unknown"
        allowed, left, wait = self.take(key)
        limit_headers = {"RateLimit-Limit": str(self.burst), "RateLimit-Remaining": str(math.floor(left))}
        if not allowed and scope["type"] == "websocket":
            # A websocket under /api is limited per handshake: refused before accept.
            await send({"type": "websocket.close", "code": 1008})
            return
        if not allowed:
            retry_after = str(max(1, math.ceil(wait)))  # whole seconds; never 0, or clients retry in a hot loop
            response = JSONResponse(
                {"error": "rate limit exceeded", "retry_after_s": int(retry_after)},
                status_code=429,
                headers={**limit_headers, "Retry-After": retry_after},
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":  # tell allowed clients how much budget is left
                extra = [(k.lower().encode(), v.encode()) for k, v in limit_headers.items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


STARTED = time.time()


async def status(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "uptime_s": round(time.time() - STARTED, 1)})


async def whoami(request: Request) -> JSONResponse:
    """The address the limiter keys on: shows whether a proxy header rewrote it."""
    return JSONResponse({"client": request.client.host if request.client else None})


async def ping(websocket: WebSocket) -> None:
    """A websocket under /api: each handshake spends a token like a request does."""
    await websocket.accept()
    await websocket.send_text("pong")
    with suppress(WebSocketDisconnect):
        while True:  # stay open, answering each message, until the client leaves
            await websocket.send_text(f"pong: {(await websocket.receive_text())[:80]}")


api = Router(routes=[Route("/status", status), Route("/whoami", whoami), WebSocketRoute("/ping", ping)])
limited_api = TokenBucketLimiter(api, burst=BURST, per_minute=PER_MINUTE)

# Only the /api mount is wrapped: Streamlit's page, /static/ assets, /_stcore/ endpoints and the websocket are
# served by the App's own routes and never pass through the limiter.
app = App(HERE / "ui.py", routes=[Mount("/api", limited_api)])
