"""Reporting API + dashboard in one process.

python main.py      starts uvicorn with the settings below
uvicorn main:app    works as well
"""

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from streamlit.starlette import App

dashboard = App(Path(__file__).resolve().parent / "dashboard.py")
app = FastAPI(lifespan=dashboard.lifespan(), docs_url="/api/docs", openapi_url="/api/openapi.json")


@app.get("/api/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/api/kpis")
def kpis() -> dict:
    return {"revenue": 1250.0, "orders": 31}


app.mount("/dashboard", dashboard)


def serve() -> None:
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        ws_max_size=200 * 1024 * 1024,
    )


if __name__ == "__main__":
    serve()
