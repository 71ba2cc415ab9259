"""Facturation API (/api/*) and the Streamlit UI on one port."""

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from streamlit.starlette import App as StreamlitApp

from db import get_summary, init_db

streamlit_app = StreamlitApp(Path(__file__).resolve().parent / "facturador.py")
app = FastAPI(title="Conciliacion API", lifespan=streamlit_app.lifespan())


@app.get("/api/conciliacion/resumen")
def resumen() -> dict:
    return get_summary()


app.mount("/", streamlit_app)

init_db()
uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
