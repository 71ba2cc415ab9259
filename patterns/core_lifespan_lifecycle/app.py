"""Pattern: load a shared resource once in st.App's lifespan; routes and the Streamlit script both use it.

Run from any directory:  uvicorn app:app --app-dir /path/to/core_lifespan_lifecycle --port 8501
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from resources import SentimentModel, load_model  # same folder: uvicorn --app-dir puts it on sys.path
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory


@asynccontextmanager
async def lifespan(st_app: App) -> AsyncIterator[dict[str, Any]]:
    """Start-up before `yield`, shutdown after it. The yielded dict is merged into `st_app.state`.

    st.App starts Streamlit's runtime first, then enters this context; uvicorn serves no request (not even
    /_stcore/health) until start-up is done, so a load balancer never sees a half-loaded server.
    """
    # Loading in a thread keeps the event loop free; calling the cached function also pre-warms
    # st.cache_resource, so the script's first run gets this very object instead of loading a second one.
    model = await asyncio.to_thread(load_model)
    yield {"model": model, "ready_at": datetime.now(UTC).isoformat(timespec="milliseconds")}
    # Shutdown: release the resource, then drop it from the cache so nothing hands out a closed model.
    model.close()
    load_model.clear()


def _model() -> SentimentModel:
    # `app` is the st.App below. NOT request.app: that is the inner Starlette app, whose .state is empty.
    return app.state["model"]


async def model_info(request: Request) -> JSONResponse:
    model = _model()
    return JSONResponse(
        {
            "version": model.version,
            "loaded_at": model.loaded_at,
            "ready_at": app.state["ready_at"],
            "loaded_by": "lifespan",
            "closed": model.closed,
        }
    )


async def predict(request: Request) -> JSONResponse:
    text = request.query_params.get("text", "").strip()
    if not text:
        return JSONResponse({"error": "query parameter 'text' is required"}, status_code=400)
    # The demo model is trivial; a real CPU-heavy predict belongs in `await asyncio.to_thread(...)`.
    return JSONResponse({"text": text, **_model().predict(text)})


app = App(
    HERE / "ui.py",
    lifespan=lifespan,
    routes=[Route("/api/model", model_info), Route("/api/predict", predict)],
)
