"""Test-only pattern: an st.App exercising every probe-engine feature (sidecars, logs, shutdown, forms, captures)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from streamlit.starlette import App

log = logging.getLogger("engine_probe")
HITS: dict[str, int] = {}
SLOW_STOP = float(os.environ.get("ENGINE_SLOW_STOP", "0"))


async def sidecar(request: Request) -> JSONResponse:
    return JSONResponse({"sidecar": os.environ.get("ENGINE_SIDECAR_URL", "")})


async def count(request: Request) -> JSONResponse:
    client = request.client.host if request.client else "?"
    HITS[client] = HITS.get(client, 0) + 1
    return JSONResponse({"client": client, "hits": HITS[client]})


async def form(request: Request) -> HTMLResponse | RedirectResponse:
    if request.method == "POST":
        data = await request.form()
        response = RedirectResponse("/api/whoami", status_code=303)
        if data.get("token") == "hidden-123" and data.get("user"):
            response.set_cookie("engine_user", str(data["user"]))
        return response
    return HTMLResponse(
        '<form method="post" action="/api/form"><input type="hidden" name="token" value="hidden-123">'
        '<input name="user" value=""><button type="submit">Go</button></form>'
    )


async def whoami(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"user={request.cookies.get('engine_user', 'nobody')}")


async def noisy(request: Request) -> PlainTextResponse:
    log.warning("engine-probe: noisy route called")
    return PlainTextResponse("logged")


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"echo:{text}")
    await websocket.close()


async def deny(websocket: WebSocket) -> None:
    await websocket.close(code=1008)  # before accept: the handshake answers 403


async def late(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1008)  # after accept: the handshake answered 101


@asynccontextmanager
async def lifespan(app: App) -> AsyncIterator[None]:
    yield
    if SLOW_STOP:
        import anyio

        await anyio.sleep(SLOW_STOP)
    log.warning("engine-probe: lifespan stopped")


app = App(
    Path(__file__).with_name("ui.py"),
    lifespan=lifespan,
    routes=[
        Route("/api/sidecar", sidecar),
        Route("/api/count", count),
        Route("/api/form", form, methods=["GET", "POST"]),
        Route("/api/whoami", whoami),
        Route("/api/noisy", noisy),
        WebSocketRoute("/ws/echo", echo),
        WebSocketRoute("/ws/deny", deny),
        WebSocketRoute("/ws/late", late),
    ],
)
