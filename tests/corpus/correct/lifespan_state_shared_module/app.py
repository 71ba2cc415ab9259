from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import resources


def build_classifier():
    from transformers import pipeline

    return pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")


@asynccontextmanager
async def lifespan(app):
    resources.store["classifier"] = build_classifier()
    yield
    resources.store.clear()


def classify(request: Request) -> JSONResponse:
    text = request.query_params.get("text", "")
    return JSONResponse(resources.classifier()(text)[0])


app = st.App(
    Path(__file__).resolve().parent / "review_ui.py",
    lifespan=lifespan,
    routes=[Route("/api/classify", classify)],
)
