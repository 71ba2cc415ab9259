"""Pattern: st.App's two error hooks. exception_handlers answer HTTP errors (JSON under /api/, an HTML page
elsewhere) without a traceback or internal detail; on_script_error logs the Streamlit script's exception with a
reference id and shows a friendly message instead of Streamlit's traceback box.

Run from any directory:  uvicorn app:app --app-dir /path/to/error_handling --port 8501
"""

from __future__ import annotations

import html
import logging
import secrets
import sys
from pathlib import Path

import streamlit as st
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# Our own logger with its own stderr handler: under plain uvicorn the root logger has no handler, so
# logging.getLogger(__name__).error(...) would print only through logging's last-resort fallback.
log = logging.getLogger("error_handling")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

ITEMS = {1: {"id": 1, "name": "widget"}, 2: {"id": 2, "name": "gadget"}}


def _reference() -> str:
    """A short id the user can quote; the log line with the full traceback carries the same id."""
    return secrets.token_hex(4)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _html_page(status: int, title: str, text: str) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status} {html.escape(title)}</title>'
        f"</head><body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        '<p><a href="/">Back to the app</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    """404, 405 and every HTTPException a route raises. The detail is ours (written for users), so it may be shown."""
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code)
    return _html_page(exc.status_code, "Not available", str(exc.detail))


async def server_error(request: Request, exc: Exception) -> Response:
    """Any other exception: log it in full with a reference, answer a generic body that names neither type nor text.

    Starlette runs this handler in its outermost ServerErrorMiddleware and re-raises the exception afterwards:
    uvicorn logs its own traceback too and then drops the connection. "Connection: close" says so, or a
    keep-alive client sends its next request into the closed socket ("connection reset by peer").
    """
    ref = _reference()
    log.error("unhandled error ref=%s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    response: Response
    if _wants_json(request):
        response = JSONResponse({"error": "internal error", "reference": ref}, status_code=500)
    else:
        response = _html_page(500, "Something went wrong", f"The error was logged. Reference: {ref}")
    response.headers["connection"] = "close"
    return response


def on_script_error(exc: Exception) -> bool:
    """Called in the script's thread for an uncaught exception of ui.py (or of a widget callback).

    Streamlit has already logged the traceback; we add a reference and render our own message. Returning True
    tells Streamlit NOT to draw its exception box (type, message and traceback) on the page.
    """
    ref = _reference()
    log.error("script error ref=%s: %s: %s", ref, type(exc).__name__, exc)
    st.error(f"Sorry, this page hit a problem. It has been reported (reference {ref}).")
    return True


async def get_item(request: Request) -> JSONResponse:
    item = ITEMS.get(request.path_params["item_id"])
    if item is None:
        raise HTTPException(status_code=404, detail="item not found")  # a user-facing message, safe to return
    return JSONResponse(item)


async def api_fail(request: Request) -> JSONResponse:
    # Stands in for a bug deep in your code; the message carries internals that must stay in the log.
    raise RuntimeError("connection to db-internal.local:5432 failed for user report_rw")


async def report(request: Request) -> HTMLResponse:
    raise ValueError("report template missing at /srv/templates/report.html")  # an HTML route's bug


app = App(
    HERE / "ui.py",
    # Mount("/api") owns the whole prefix: an unknown /api/... path raises 404 inside it (and reaches
    # http_error) instead of falling through to Streamlit's catch-all, which answers the page with 200.
    routes=[
        Mount("/api", routes=[Route("/items/{item_id:int}", get_item), Route("/fail", api_fail)]),
        Route("/report", report),
    ],
    # Keyed by status code or exception class. HTTPException covers 404/405 from the routers as well.
    exception_handlers={HTTPException: http_error, Exception: server_error},
    on_script_error=on_script_error,
    # debug stays False: debug=True makes Starlette answer errors with a traceback page.
)
