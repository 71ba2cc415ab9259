"""Quotes proxy: one shared httpx client for the API, Streamlit UI under /ui."""

from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from streamlit.starlette import App

from settings import UPSTREAM_URL, UPSTREAM_TIMEOUT

UI_SCRIPT = Path(__file__).resolve().parent / "ui.py"
st_app = App(UI_SCRIPT)


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=UPSTREAM_TIMEOUT) as client:
        app.state.http = client
        async with st_app.lifespan()(app):
            yield


app = FastAPI(lifespan=lifespan)


@app.get("/api/quotes/{symbol}")
async def quote(symbol: str, request: Request) -> dict:
    response = await request.app.state.http.get(f"/v1/quote/{symbol.upper()}")
    response.raise_for_status()
    return response.json()


@app.get("/api/ping")
async def ping() -> dict:
    return {"ok": True}


app.mount("/ui", st_app)
