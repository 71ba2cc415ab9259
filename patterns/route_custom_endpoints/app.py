"""Pattern C: plain Starlette routes beside Streamlit (no FastAPI).

Run from any directory:  uvicorn app:app --app-dir /path/to/route_custom_endpoints --port 8501
"""

import hmac
import json
import os
import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory
STARTED = time.time()

# A real deployment sets WEBHOOK_TOKEN; the dev default only keeps the demo runnable.
WEBHOOK_TOKEN = os.environ.get("WEBHOOK_TOKEN", "dev-webhook-token")
received_events: list[dict[str, object]] = []  # in-memory demo store: one process, not shared across workers


async def status(request: Request) -> JSONResponse:
    """Async handler: a sync `def` would run in the thread pool Streamlit's script runs also use."""
    return JSONResponse({"status": "ok", "uptime_s": round(time.time() - STARTED, 1), "events": len(received_events)})


async def echo(request: Request) -> JSONResponse:
    # No FastAPI means no automatic validation: parse and check the body yourself.
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "body must be JSON"}, status_code=400)
    return JSONResponse({"echo": payload})


async def webhook(request: Request) -> Response:
    # compare_digest: constant-time, so the token cannot be guessed byte by byte from response timing.
    token = request.headers.get("x-webhook-token", "")
    if not hmac.compare_digest(token.encode(), WEBHOOK_TOKEN.encode()):
        return JSONResponse({"error": "bad token"}, status_code=401)
    try:
        event = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "body must be JSON"}, status_code=400)
    received_events.append(event if isinstance(event, dict) else {"value": event})
    return JSONResponse({"received": True}, status_code=202)


# Routes passed to st.App are matched BEFORE Streamlit's own routes and its catch-all page route.
# Grouping them in Mount("/api", routes=...) makes the whole prefix ours: an unknown /api/... path or a
# wrong method gets a real 404/405 from this inner router instead of falling through to the catch-all,
# which answers any unmatched GET with the page HTML and status 200.
# Never add Route("/{path:path}") at the top level: it is accepted and shadows the page and /_stcore/health.
api_routes = [
    Route("/status", status, methods=["GET"]),
    Route("/echo", echo, methods=["POST"]),
    Route("/webhook", webhook, methods=["POST"]),
]
app = App(HERE / "ui.py", routes=[Mount("/api", routes=api_routes)])
