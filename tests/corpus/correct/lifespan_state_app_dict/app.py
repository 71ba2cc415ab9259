"""Churn model loaded once in the App lifespan; the route reads it from App.state (a dict)."""

from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from model import load_model


@asynccontextmanager
async def lifespan(st_app):
    model = await anyio.to_thread.run_sync(load_model)
    yield {"model": model}


async def predict(request: Request) -> JSONResponse:
    features = (await request.json())["features"]
    model = app.state["model"]
    probability = float(model.predict_proba([features])[0][1])
    return JSONResponse({"churn_probability": round(probability, 4)})


app = App(
    Path(__file__).resolve().parent / "ui.py",
    lifespan=lifespan,
    routes=[Route("/api/predict", predict, methods=["POST"])],
)
