"""uvicorn app_factory:create_app --factory"""

import os
from pathlib import Path

import streamlit as st
from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from guard import BasicAuthGuard

ROOT = Path(__file__).resolve().parent


def create_app() -> FastAPI:
    streamlit_app = st.App(ROOT / "diary.py")
    app = FastAPI(lifespan=streamlit_app.lifespan(), docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        BasicAuthGuard,
        username=os.environ.get("DIARY_USER", "me"),
        password=os.environ["DIARY_PASSWORD"],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["localhost", "127.0.0.1", "diary.home.arpa"])

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    app.mount("/diary", streamlit_app)
    return app
