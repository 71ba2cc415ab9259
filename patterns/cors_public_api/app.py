"""Pattern: CORS for a public /api sub-app only; Streamlit's page and websocket keep their same-origin rules.

CORSMiddleware sits on the mounted API app, so its headers appear on /api/* and nowhere else. Streamlit's
websocket origin check is Streamlit's own (same origin, or server.corsAllowedOrigins): a CORSMiddleware, on the
API or on the whole app, never governs it, and the API's partner origins are deliberately NOT added to it.

Run from any directory:  uvicorn app:app --app-dir /path/to/cors_public_api --port 8501
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# Exact origins (scheme://host[:port], no path, no trailing slash) of the sites allowed to call the API from
# a browser. Never "*" together with credentials; here the API is public and cookie-less anyway.
API_ORIGINS = [o.strip() for o in os.environ.get("API_CORS_ORIGINS", "").split(",") if o.strip()]

PRICES = {"ACME": 120.0, "GLOBEX": 48.5, "INITECH": 7.25}
feedback: list[dict[str, object]] = []  # in-memory demo store: one process, not shared across workers


async def prices(_request: Request) -> JSONResponse:
    return JSONResponse({"prices": PRICES})


async def post_feedback(request: Request) -> JSONResponse:
    # A JSON POST from another origin is not a "simple" request: the browser sends a preflight OPTIONS first,
    # which CORSMiddleware answers before this handler ever runs.
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "body must be JSON"}, status_code=400)
    feedback.append(body if isinstance(body, dict) else {"value": body})
    return JSONResponse({"received": len(feedback)}, status_code=201)


api = Starlette(
    routes=[Route("/prices", prices, methods=["GET"]), Route("/feedback", post_feedback, methods=["POST"])],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=API_ORIGINS,  # an allow-list: other origins get no Access-Control-Allow-Origin
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            allow_credentials=False,  # public data: no cookies; with True the list must never be ["*"]
            max_age=600,  # browsers cache the preflight answer for 10 minutes
        )
    ],
)

# The API is a sub-app: its CORSMiddleware runs for /api/* only. Streamlit's routes (page, /_stcore/, the
# websocket) never pass through it, so they keep Streamlit's own rules: no ACAO for other origins, and a
# websocket from another origin is closed before accept (server.enableCORS stays on, corsAllowedOrigins empty).
app = App(HERE / "ui.py", routes=[Mount("/api", api)])
