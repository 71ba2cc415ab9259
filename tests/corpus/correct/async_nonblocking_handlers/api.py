"""Async endpoints that never block the event loop."""

import asyncio
import subprocess
import time

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse


def render_pdf(report_id: str) -> bytes:
    time.sleep(1.0)  # CPU-bound renderer, only ever run in a worker thread
    return f"%PDF report {report_id}".encode()


async def status(request: Request) -> JSONResponse:
    async with httpx.AsyncClient(timeout=5) as client:
        upstream = await client.get("https://status.example/api/v2/summary.json")
    return JSONResponse({"upstream": upstream.json().get("status")})


async def poll(request: Request) -> JSONResponse:
    for _ in range(3):
        await asyncio.sleep(0.2)
    return JSONResponse({"ready": True})


async def report(request: Request) -> JSONResponse:
    pdf = await anyio.to_thread.run_sync(render_pdf, request.path_params["report_id"])
    return JSONResponse({"bytes": len(pdf)})


async def git_revision(request: Request) -> JSONResponse:
    done = await asyncio.to_thread(subprocess.run, ["git", "rev-parse", "HEAD"], capture_output=True, text=True)
    return JSONResponse({"revision": done.stdout.strip()})
