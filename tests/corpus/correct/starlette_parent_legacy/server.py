from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from streamlit.web.server.starlette import App as StreamlitApp

from frontend import create_frontend_routes

ROOT = Path(__file__).resolve().parent
legacy_app = StreamlitApp(ROOT / "streamlit_app.py")


@asynccontextmanager
async def lifespan(app):
    async with legacy_app.lifespan()(app):
        yield


app = Starlette(
    lifespan=lifespan,
    routes=[
        *create_frontend_routes(),
        Mount("/assets", app=StaticFiles(directory=ROOT / "frontend_assets"), name="assets"),
        Mount("/legacy", app=legacy_app, name="legacy"),
    ],
)

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "8501")))
