"""Pattern A: Streamlit is the root ASGI app; a FastAPI app is mounted at /api.

Run from any directory:  uvicorn app:app --app-dir /path/to/mount_fastapi --port 8501
"""

from pathlib import Path

from fastapi import FastAPI
from starlette.routing import Mount
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

api = FastAPI(title="Example API", docs_url="/docs", openapi_url="/openapi.json")


@api.get("/hello")
async def hello(name: str = "world") -> dict[str, str]:
    """Async handler: a sync `def` would run in a thread pool shared with Streamlit's work."""
    return {"message": f"hello {name}"}


@api.get("/health")
async def api_health() -> dict[str, str]:
    return {"status": "ok"}


# Routes passed to st.App are matched BEFORE Streamlit's own routes and its catch-all page route.
# Mount at "/api" (never under /_stcore/, /media/, /component/ or /static/: those are reserved).
app = App(HERE / "ui.py", routes=[Mount("/api", app=api)])
