"""Faults survived with real processes: a killed fork server, an app that fails to import, a client that
disconnects mid-launch. Nothing orphaned, nothing hangs, the registry stays consistent."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from test_instances_mcp import _wait_gone

from st_patterns.paths import patterns_dir

from conftest import MCP_HEADERS, MCP_INIT, start_server, stop_process

pytestmark = pytest.mark.processes


async def _status(client: Client, instance_id: str) -> str:
    return (await client.call_tool("get_instance", {"instance_id": instance_id})).structured_content["status"]


async def _wait_status(client: Client, instance_id: str, wanted: set[str], timeout: float = 5) -> str:
    deadline = time.monotonic() + timeout
    status = await _status(client, instance_id)
    while status not in wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        status = await _status(client, instance_id)
    return status


def _forkserver(server_pid: int) -> psutil.Process | None:
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if "st_patterns.instances.forkserver" in " ".join(child.cmdline()):
                return child
        except psutil.Error:
            continue
    return None


async def test_killed_fork_server_ends_its_instances_and_launching_still_works(tmp_path: Path) -> None:
    srv = start_server(tmp_path)
    try:
        async with Client(srv.mcp_url) as client:
            first = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
            assert first["launch_mode"] == "fork"
            fork = _forkserver(srv.proc.pid)
            assert fork is not None
            fork.send_signal(signal.SIGKILL)
            assert await _wait_status(client, first["id"], {"exited", "stopped", "failed"}) == "exited"
            assert _wait_gone([first["pid"]]) == []
            second = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
            assert second["status"] == "running"
            assert httpx.get(second["urls"]["/api/hello"]).status_code == 200
            await client.call_tool("stop_all_instances", {})
        assert _wait_gone([second["pid"]]) == []
        assert httpx.get(f"{srv.base}/healthz").json()["status"] == "ok"
    finally:
        stop_process(srv.proc)


def _catalog_with_broken_app(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(patterns_dir() / "mount_fastapi", catalog / "mount_fastapi")
    broken = catalog / "broken_import"
    shutil.copytree(patterns_dir() / "mount_fastapi", broken)
    meta = broken / "pattern.toml"
    meta.write_text(
        meta.read_text()
        .replace('id = "mount_fastapi"', 'id = "broken_import"')
        .replace('"mount_fastapi"', '"broken_import"')
    )
    related = meta.read_text()
    meta.write_text(
        related.replace(
            'related = ["mount_streamlit_as_subapp", "route_custom_endpoints", "core_lifespan_lifecycle"]',
            "related = []",
        )
    )
    (broken / "app.py").write_text("import module_that_does_not_exist  # fails at import\n")
    return catalog


async def test_app_that_fails_to_import_is_a_clear_error(tmp_path: Path) -> None:
    catalog = _catalog_with_broken_app(tmp_path)
    srv = start_server(tmp_path, env={"ST_PATTERNS_CATALOG": str(catalog)})
    try:
        async with Client(srv.mcp_url) as client:
            with pytest.raises(ToolError) as info:
                await client.call_tool("launch_pattern", {"pattern_id": "broken_import"})
            message = str(info.value)
            assert "module_that_does_not_exist" in message and "exit code" in message
            listed = (await client.call_tool("list_instances", {})).structured_content["instances"]
            assert [i["status"] for i in listed] == ["failed"]
            assert all(i["pid"] is None or _wait_gone([i["pid"]]) == [] for i in listed)
            ok = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
            assert ok["status"] == "running"
        assert httpx.get(f"{srv.base}/healthz").json()["status"] == "ok"
    finally:
        stop_process(srv.proc)
    assert _wait_gone([ok["pid"]]) == []


async def test_client_disconnecting_mid_launch_leaves_a_consistent_registry(tmp_path: Path) -> None:
    srv = start_server(tmp_path)
    try:
        with httpx.Client(base_url=srv.base) as raw:
            answer = raw.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS)
            session = {**MCP_HEADERS, "mcp-session-id": answer.headers["mcp-session-id"]}
            raw.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session)
            call = {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "launch_pattern", "arguments": {"pattern_id": "route_mcp_server"}},
            }
            with pytest.raises(httpx.TimeoutException):
                raw.post("/mcp", content=json.dumps(call), headers=session, timeout=0.02)
        async with Client(srv.mcp_url) as client:
            deadline = time.monotonic() + 30
            instances: list[dict] = []
            while time.monotonic() < deadline:
                instances = (await client.call_tool("list_instances", {})).structured_content["instances"]
                if instances and all(i["status"] in ("running", "failed", "stopped") for i in instances):
                    break
                await asyncio.sleep(0.1)
            assert len(instances) == 1 and instances[0]["status"] in ("running", "failed", "stopped")
            await client.call_tool("stop_all_instances", {})
        pids = [i["pid"] for i in instances if i["pid"]]
        assert _wait_gone(pids) == []
        assert httpx.get(f"{srv.base}/healthz").json()["status"] == "ok"
    finally:
        stop_process(srv.proc)
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if "stp:" in " ".join(p.info["cmdline"] or [])]
    assert not [p for p in leftovers if p.ppid() == os.getpid()]
