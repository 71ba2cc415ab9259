"""Start with: python launcher.py"""

import os
from pathlib import Path

import streamlit as st
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(request):
    return JSONResponse({"ok": True})


app = st.App(
    Path(__file__).resolve().parent / "coach.py",
    routes=[Route("/health", health, methods=["GET", "HEAD"])],
)

app.run(config={"server.port": int(os.environ.get("PORT", "8501")), "server.headless": True})
