"""Sentence embeddings served next to the search UI."""

from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from embedder import load_model


@asynccontextmanager
async def lifespan(app):
    model = await anyio.to_thread.run_sync(load_model, "all-MiniLM-L6-v2")
    yield {"model": model}


async def embed(request: Request) -> JSONResponse:
    texts = (await request.json())["texts"]
    model = request.app.state.model
    vectors = await anyio.to_thread.run_sync(model.encode, texts)
    return JSONResponse({"vectors": [v.tolist() for v in vectors]})


app = App(
    Path(__file__).resolve().parent / "search.py",
    lifespan=lifespan,
    routes=[Route("/api/embed", embed, methods=["POST"])],
)
