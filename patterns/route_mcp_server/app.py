"""Pattern: a FastMCP server at /mcp inside st.App, sharing data with the Streamlit page.

Run from any directory:  uvicorn app:app --app-dir /path/to/route_mcp_server --port 8501
MCP clients connect to http://127.0.0.1:8501/mcp (streamable HTTP).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP
from notes import get_board  # same folder: uvicorn --app-dir puts it on sys.path
from starlette.routing import Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

mcp = FastMCP("st-notes", instructions="A note board shared with a Streamlit dashboard.")


@mcp.tool
async def add_note(text: str) -> dict[str, object]:
    """Add a note to the board; it appears on the Streamlit dashboard within seconds."""
    return get_board().add(text.strip(), source="mcp")


@mcp.tool
async def list_notes() -> list[dict[str, object]]:
    """All notes on the board, including those typed into the dashboard."""
    return get_board().list()


# path="/mcp": the MCP endpoint is exactly /mcp inside this sub-app. "auto" host/origin protection refuses
# requests whose Host or Origin is not this loopback server (DNS-rebinding attacks from a browser page).
mcp_app = mcp.http_app(path="/mcp", host_origin_protection="auto")


@asynccontextmanager
async def lifespan(st_app: App) -> AsyncIterator[None]:
    # A routed sub-app never receives lifespan events, so st.App's lifespan must run the MCP one: it starts
    # the session manager's task group. Without it every /mcp request is a 500 "Task group is not initialized".
    async with mcp_app.lifespan(mcp_app):
        yield


app = App(
    HERE / "ui.py",
    lifespan=lifespan,
    # Route (not Mount) with the whole MCP app as endpoint: it matches exactly /mcp, passes the path through
    # unchanged (the MCP app serves /mcp) and takes every method. User routes are matched before
    # Streamlit's catch-all, which would answer POST /mcp with 405.
    routes=[Route("/mcp", endpoint=mcp_app)],
)
