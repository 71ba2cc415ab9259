"""Pattern: periodic background work started in st.App's lifespan, shared with routes and the UI, stopped at shutdown.

An anyio task group opened in the lifespan runs a refresher every 0.25 s; its latest result lives in a store that
the lifespan yields into App.state (for routes) and that st.cache_resource hands to the Streamlit script. At
shutdown the lifespan cancels the task group's cancel scope, so uvicorn exits at once instead of hanging.

Run from any directory:  uvicorn app:app --app-dir /path/to/background_tasks --port 8501
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from store import LiveStore, get_store  # same folder: uvicorn --app-dir puts it on sys.path
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

log = logging.getLogger("background_tasks")
if not log.handlers:
    # uvicorn and Streamlit configure only their own loggers: without a handler, INFO lines of yours go nowhere.
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


async def fetch_value(tick: int) -> float:
    """Stand-in for the real work (an HTTP call, a DB query). Async, so it never blocks the event loop.

    Blocking work (a sync driver, CPU-heavy maths) belongs in `await anyio.to_thread.run_sync(...)` instead.
    """
    await anyio.sleep(0.01)
    return round(100 + 10 * math.sin(tick / 5), 3)


async def refresh_forever(store: LiveStore, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
    """Refresh the store every interval until cancelled. `task_status.started()` fires after the first value."""
    if not store.claim():
        raise RuntimeError("a refresher is already running")
    try:
        tick = 0
        while True:
            try:
                store.publish(await fetch_value(tick))
            except Exception as exc:  # one failed refresh must not kill the task group (and the app with it)
                store.record_error(f"{type(exc).__name__}: {exc}")
                log.warning("refresh failed: %s", exc)
            if tick == 0:
                task_status.started()  # the lifespan (and so start-up) waits for this first result
            tick += 1
            await anyio.sleep(store.interval)  # a cancellation point: cancel_scope.cancel() lands here
    finally:
        store.release()


@asynccontextmanager
async def lifespan(st_app: App) -> AsyncIterator[dict[str, Any]]:
    """Start the refresher before serving, cancel it at shutdown. The yielded dict is merged into st_app.state."""
    store = get_store()  # pre-warms st.cache_resource: the script's get_store() returns this very object
    async with anyio.create_task_group() as task_group:
        # start() (not start_soon) waits until the first value is published: no request ever sees an empty store.
        await task_group.start(refresh_forever, store)
        log.info("background refresher started (every %.2f s)", store.interval)
        yield {"store": store, "task_group": task_group}
        # Shutdown. Without this line the task group waits forever for a loop that never ends, and so does
        # uvicorn: SIGTERM leaves the process hanging until it is killed.
        task_group.cancel_scope.cancel()
    log.info("background refresher stopped after %d refreshes", store.snapshot().count)


def _store() -> LiveStore:
    # `app` is the st.App below. NOT request.app: that is the inner Starlette app, whose .state is empty.
    return app.state["store"]


async def latest(request: Request) -> JSONResponse:
    store = _store()
    snap = store.snapshot()
    age = store.age(snap)
    return JSONResponse(
        {
            "value": snap.value,
            "count": snap.count,
            "updated_at": snap.updated_at,
            "age_seconds": None if age is None else round(age, 3),
            "stale": store.is_stale(snap),
            "running": store.running,
            "last_error": snap.last_error,
        }
    )


async def start_refresher(request: Request) -> JSONResponse:
    """Restart a refresher that has died; refuse (409) while one runs, so there is never a second one."""
    store = _store()
    if store.running:
        return JSONResponse({"error": "refresher already running", "started_by": "lifespan"}, status_code=409)
    task_group: TaskGroup = app.state["task_group"]
    await task_group.start(refresh_forever, store)  # in the lifespan's group: the shutdown cancel stops it too
    return JSONResponse({"started": True}, status_code=202)


app = App(
    HERE / "ui.py",
    lifespan=lifespan,
    # Mount owns /api: unknown paths and wrong methods answer 404/405 instead of Streamlit's page.
    routes=[
        Mount(
            "/api",
            routes=[Route("/latest", latest), Route("/refresher", start_refresher, methods=["POST"])],
        )
    ],
)
