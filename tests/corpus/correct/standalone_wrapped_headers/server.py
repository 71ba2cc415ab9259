"""Served with uvicorn (python server.py, or uvicorn server:app); the App is not mounted anywhere."""

import os
from pathlib import Path

import uvicorn
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from branding import NoStoreHtml


async def version(request):
    return JSONResponse({"version": os.environ.get("APP_VERSION", "dev")})


streamlit_app = App(Path(__file__).resolve().parent / "planner.py", routes=[Route("/api/version", version)])
app = NoStoreHtml(streamlit_app)

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8501")))
