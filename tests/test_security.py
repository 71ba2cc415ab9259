"""Security by default: loopback bind, token on /mcp and the dashboard (websocket included), Host guard, and a
server that stays up when its state directory is unusable."""

from __future__ import annotations

import asyncio
import socket
import subprocess

import httpx
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from st_patterns.proving.websocket_probe import run_script

from conftest import MCP_HEADERS, MCP_INIT, ServerProcess, st_patterns_cmd, start_server, stop_process

pytestmark = pytest.mark.processes
TOKEN = "test-token-7f3a"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory):
    srv = start_server(tmp_path_factory.mktemp("token"), "--token", TOKEN)
    yield srv
    stop_process(srv.proc)


def test_non_loopback_bind_without_token_is_refused(tmp_path) -> None:
    done = subprocess.run(
        [*st_patterns_cmd(), "serve", "--host", "0.0.0.0", "--port", "1", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": __import__("os").environ["PATH"], "HOME": str(tmp_path)},
    )
    assert done.returncode == 1
    assert "--token" in done.stderr and "0.0.0.0" in done.stderr


def test_mcp_requires_the_bearer_token(token_server: ServerProcess) -> None:
    assert httpx.post(token_server.mcp_url, json=MCP_INIT, headers=MCP_HEADERS).status_code == 401
    wrong = {**MCP_HEADERS, "authorization": "Bearer nope"}
    assert httpx.post(token_server.mcp_url, json=MCP_INIT, headers=wrong).status_code == 401
    right = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    assert httpx.post(token_server.mcp_url, json=MCP_INIT, headers=right).status_code == 200


async def test_mcp_client_with_token_works(token_server: ServerProcess) -> None:
    async with Client(token_server.mcp_url, auth=TOKEN) as client:
        listed = (await client.call_tool("list_patterns", {})).structured_content
    assert listed["total"] >= 13


def test_dashboard_requires_login_and_cookie_is_strict(token_server: ServerProcess) -> None:
    base = token_server.base
    page = httpx.get(f"{base}/dashboard/")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert httpx.get(f"{base}/dashboard/_stcore/health").status_code == 200
    assert httpx.get(f"{base}/dashboard/_stcore/host-config").status_code == 401
    assert httpx.post(f"{base}/login", data={"token": "nope"}).status_code == 401
    ok = httpx.post(f"{base}/login", data={"token": TOKEN, "next": "https://evil.example/"})
    assert ok.status_code == 303 and ok.headers["location"] == "/dashboard/", "no open redirect"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    session = ok.cookies
    assert '<div id="root">' in httpx.get(f"{base}/dashboard/", cookies=session).text


def test_dashboard_websocket_is_guarded(token_server: ServerProcess) -> None:
    ws = token_server.base.replace("http", "ws") + "/dashboard/_stcore/stream"
    refused = asyncio.run(run_script(ws, None))
    assert refused.status == "refused", refused
    forged = asyncio.run(run_script(ws, None, headers={"Cookie": "st_patterns_session=9999999999.abc"}))
    assert forged.status == "refused", forged
    session = httpx.post(f"{token_server.base}/login", data={"token": TOKEN}).cookies
    cookie = "; ".join(f"{k}={v}" for k, v in session.items())
    ran = asyncio.run(run_script(ws, "st-patterns", headers={"Cookie": cookie}))
    assert ran.status == "ran", ran


def test_unknown_host_header_is_refused_everywhere(server: ServerProcess) -> None:
    evil = {"host": "evil.example"}
    assert httpx.get(f"{server.base}/healthz", headers=evil).status_code == 421
    assert httpx.get(f"{server.base}/dashboard/", headers=evil).status_code == 421
    assert httpx.post(server.mcp_url, json=MCP_INIT, headers={**MCP_HEADERS, **evil}).status_code == 421
    assert httpx.get(f"{server.base}/healthz", headers={"host": f"localhost:{server.port}"}).status_code == 200
    assert _raw_upgrade(server.port, "evil.example").startswith("HTTP/1.1 403")
    assert _raw_upgrade(server.port, f"127.0.0.1:{server.port}").startswith("HTTP/1.1 101")


def _raw_upgrade(port: int, host: str) -> str:
    """A websocket handshake with exactly one Host header (client libraries add their own); the status line."""
    request = (
        "GET /dashboard/_stcore/stream HTTP/1.1\r\n"
        f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode(errors="replace").splitlines()[0]


def test_foreign_origin_is_refused_on_mcp(server: ServerProcess) -> None:
    headers = {**MCP_HEADERS, "origin": "http://evil.example"}
    assert httpx.post(server.mcp_url, json=MCP_INIT, headers=headers).status_code == 403


async def test_unusable_state_dir_degrades_but_serves(tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    srv = start_server(tmp_path, "--state-dir", str(blocker / "state"), replace_state=True)
    try:
        health = httpx.get(f"{srv.base}/healthz").json()
        assert health["status"] == "degraded" and "state directory" in health["problem"]
        async with Client(srv.mcp_url) as client:
            assert (await client.call_tool("list_patterns", {})).structured_content["total"] >= 13
            with pytest.raises(ToolError, match="state directory"):
                await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})
            with pytest.raises(ToolError, match="state directory"):
                await client.call_tool("list_instances", {})
        assert httpx.get(f"{srv.base}/healthz").status_code == 200
    finally:
        stop_process(srv.proc)
