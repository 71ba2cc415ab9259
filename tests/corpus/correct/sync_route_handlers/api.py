"""Plain def endpoints: Starlette runs them in its thread pool, so blocking I/O is fine here."""

import csv
import io
import sqlite3
import time
from pathlib import Path

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

DB = Path(__file__).resolve().parent / "inventory.db"


def export_csv(request: Request) -> Response:
    with sqlite3.connect(DB) as conn:
        rows = conn.execute("SELECT sku, name, stock FROM items ORDER BY sku").fetchall()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sku", "name", "stock"])
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv")


def geocode(request: Request) -> JSONResponse:
    query = request.query_params.get("q", "")
    reply = requests.get("https://geocode.example/search", params={"q": query}, timeout=10)
    return JSONResponse(reply.json(), status_code=reply.status_code)


def slow_report(request: Request) -> JSONResponse:
    started = time.monotonic()
    time.sleep(0.5)  # stands in for a slow vendor SDK call
    return JSONResponse({"took": round(time.monotonic() - started, 2)})
