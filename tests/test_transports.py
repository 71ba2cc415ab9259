"""The same MCP server over a real `st-patterns serve` (streamable HTTP) and a real `st-patterns stdio`."""

from __future__ import annotations

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport
from fastmcp.exceptions import ToolError

from conftest import MCP_HEADERS, MCP_INIT, ServerProcess, payload, st_patterns_cmd

pytestmark = pytest.mark.processes

CATALOG_TOOLS = {"list_patterns", "get_pattern", "explain_pattern", "recommend_pattern"}


async def _exercise(client: Client) -> None:
    names = {t.name for t in await client.list_tools()}
    assert CATALOG_TOOLS <= names
    listed = (await client.call_tool("list_patterns", {})).structured_content
    assert listed["total"] >= 13
    detail = payload(await client.call_tool("get_pattern", {"pattern_id": "middleware_auth"}))
    assert any(f["path"] == "app.py" for f in detail["files"])
    exp = payload(await client.call_tool("explain_pattern", {"pattern_id": "route_mcp_server"}))
    assert exp["pattern_id"] == "route_mcp_server"
    rec = (await client.call_tool("recommend_pattern", {"need": "mount a Django project"})).structured_content
    assert rec["recommendations"][0]["pattern"]["id"] == "mount_django"
    with pytest.raises(ToolError, match="Valid ids"):
        await client.call_tool("get_pattern", {"pattern_id": "nope_nope"})


async def test_streamable_http(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        await _exercise(client)
    health = httpx.get(f"{server.base}/healthz").json()
    assert health["status"] == "ok" and health["patterns"] >= 13


def test_post_mcp_answers_without_redirect(server: ServerProcess) -> None:
    response = httpx.post(server.mcp_url, json=MCP_INIT, headers=MCP_HEADERS, follow_redirects=False)
    assert response.status_code == 200
    assert '"serverInfo"' in response.text and "st-patterns" in response.text


def test_huge_request_body_is_refused_and_server_stays_up(server: ServerProcess) -> None:
    response = httpx.post(server.mcp_url, content=b"x" * (2 * 1024 * 1024), headers=MCP_HEADERS)
    assert response.status_code == 413
    assert "limit" in response.text
    assert httpx.get(f"{server.base}/healthz").status_code == 200


async def test_stdio(tmp_path) -> None:
    cmd = st_patterns_cmd()
    transport = StdioTransport(command=cmd[0], args=[*cmd[1:], "stdio", "--state-dir", str(tmp_path / "state")])
    async with Client(transport) as client:
        await _exercise(client)
