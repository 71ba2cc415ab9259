"""Pattern: several uvicorn worker processes behind nginx, with sticky sessions through a route cookie.

Every Streamlit session, its st.image / st.download_button media and its st.file_uploader files live in the
memory of ONE process. With several workers, each browser must keep talking to the worker that holds its session:
each worker stamps a `st_worker` cookie with its own id, and nginx maps that cookie to that worker (nginx.conf).
The lifespan runs once PER WORKER: anything it loads exists once per process.

Run one process per worker, each with its own WORKER_ID and the SAME cookie secret (nginx in front):
    WORKER_ID=w1 STREAMLIT_SERVER_COOKIE_SECRET=... uvicorn app:app --app-dir /path/to/multi_worker_sticky --port 8501
    WORKER_ID=w2 STREAMLIT_SERVER_COOKIE_SECRET=... uvicorn app:app --app-dir /path/to/multi_worker_sticky --port 8502
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App
from streamlit.web import bootstrap

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory
WORKER_ID = os.environ.get("WORKER_ID", "w1")  # must match a name in nginx.conf's `map $cookie_st_worker`
ROUTE_COOKIE = "st_worker"

# Set before App(): STREAMLIT_* variables are ignored under plain uvicorn (the cookie secret, being sensitive, is
# the exception: STREAMLIT_SERVER_COOKIE_SECRET is read, and every worker must share it).
bootstrap.load_config_options({"server.fileWatcherType": "none", "browser.gatherUsageStats": False})


class RouteCookie:
    """Pure ASGI: on HTTP answers, (re)set `st_worker=<this worker>` when the browser's cookie names another.

    A browser pinned to a worker that died is sent to a backup by nginx; the backup re-pins it here.
    Websockets pass untouched: a handshake cannot set cookies the page has not already got.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or HTTPConnection(scope).cookies.get(ROUTE_COOKIE) == WORKER_ID:
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        cookie[ROUTE_COOKIE] = WORKER_ID
        cookie[ROUTE_COOKIE].update({"path": "/", "httponly": True, "samesite": "Lax"})  # session cookie: no max-age

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = cookie.output(header="").strip().encode("latin-1")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


@asynccontextmanager
async def per_worker(_app: App) -> AsyncIterator[dict[str, Any]]:
    """Runs once in EACH worker process: a model loaded here is loaded N times, a scheduler runs N times."""
    print(f"lifespan started (worker {WORKER_ID}, pid {os.getpid()})", flush=True)
    yield {"worker": WORKER_ID, "pid": os.getpid(), "started": time.time()}
    print(f"lifespan stopped (worker {WORKER_ID})", flush=True)


async def worker(request: Request) -> JSONResponse:
    """Which process answered: the probes use it to see that a browser stays on one worker."""
    return JSONResponse({"worker": WORKER_ID, "pid": os.getpid(), "lifespan_pid": app.state.get("pid")})


app = App(
    HERE / "ui.py",
    lifespan=per_worker,
    routes=[Route("/api/worker", worker)],
    middleware=[Middleware(RouteCookie)],
)
