"""One FastAPI process serving a back-office UI at /admin and the public UI at /."""

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from fastapi import FastAPI

from admin_ui import admin_app

public_app = st.App(Path(__file__).resolve().parent / "public_page.py")


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with admin_app.lifespan()(app), public_app.lifespan()(app):
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/api/health")
async def health() -> dict:
    return {"ok": True}


app.mount("/admin", admin_app)
app.mount("/", public_app)
