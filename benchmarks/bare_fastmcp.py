"""Baseline server for benchmarks: a bare FastMCP app with one trivial tool, served by uvicorn."""

from __future__ import annotations

import sys

import uvicorn
from fastmcp import FastMCP
from starlette.responses import PlainTextResponse
from starlette.routing import Route

mcp = FastMCP("bare")


@mcp.tool
def echo(text: str = "x") -> dict[str, str]:
    """Return the text."""
    return {"text": text}


async def healthz(request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = mcp.http_app(path="/mcp")
app.router.routes.append(Route("/healthz", healthz))

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
