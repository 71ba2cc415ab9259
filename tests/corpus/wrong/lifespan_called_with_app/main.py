"""FastAPI REST API plus a Streamlit status dashboard at /."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from streamlit.starlette import App as StreamlitApp

from api import configure_app

_UI_SCRIPT = Path(__file__).resolve().parent / "status_ui.py"
st_dashboard = StreamlitApp(_UI_SCRIPT)


@asynccontextmanager
async def lifespan(application: FastAPI):
    async with st_dashboard.lifespan(application):
        configure_app(application)
        yield


app = FastAPI(title="Status API", lifespan=lifespan)
app.mount("/", st_dashboard)
