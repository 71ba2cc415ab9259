from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from streamlit.starlette import App as StreamlitApp

from jobs import default_jobs

ROOT = Path(__file__).resolve().parent


@asynccontextmanager
async def lifespan(app):
    yield
    if default_jobs.cache_info().currsize:
        await anyio.to_thread.run_sync(default_jobs().close)


async def paste(request):
    job = default_jobs().submit((await request.json())["text"])
    return JSONResponse({"job": job}, status_code=202)


legacy_app = StreamlitApp(ROOT / "streamlit_app.py")
app = Starlette(
    lifespan=lifespan,
    routes=[
        Route("/api/paste", paste, methods=["POST"]),
        Mount("/legacy", app=legacy_app, name="legacy"),
    ],
)

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "8501")))
