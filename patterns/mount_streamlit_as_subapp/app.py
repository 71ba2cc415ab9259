"""Pattern B: FastAPI is the root ASGI app; Streamlit is mounted at /dashboard.

Run from any directory:  uvicorn app:app --app-dir /path/to/mount_streamlit_as_subapp --port 8501
"""

from pathlib import Path

from fastapi import FastAPI
from starlette.routing import Mount
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# The Streamlit app is built first so the parent can take over its lifespan.
# Do NOT set server.baseUrlPath: the Mount already adds "/dashboard", and Streamlit would add it again.
dashboard = App(HERE / "ui.py")

app = FastAPI(
    title="Example service",
    # A mounted app never receives lifespan events: only the root app does. lifespan() hands Streamlit's
    # runtime start/stop to FastAPI, so the runtime is up before the first request, not lazily on it.
    lifespan=dashboard.lifespan(),
    routes=[Mount("/dashboard", app=dashboard)],
)


@app.get("/")
async def index() -> dict[str, str]:
    """Async handler: a sync `def` would run in the thread pool Streamlit's work also uses."""
    return {"service": "example", "dashboard": "/dashboard/"}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
