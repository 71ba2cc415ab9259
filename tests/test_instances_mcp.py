"""Launch and supervise instances through the MCP tools of a real `st-patterns serve`, over streamable HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time

import httpx
import psutil
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from test_catalog import SEED_IDS

from st_patterns.catalog.loader import Catalog

from conftest import ServerProcess, start_server, stop_process

pytestmark = pytest.mark.processes


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(pids: list[int], timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if not _gone(pid)]
        if not alive:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if not _gone(pid)]


def _first_added_url(catalog: Catalog, pattern_id: str, inst: dict) -> str:
    base = catalog.get(pattern_id).meta.base_path
    for path, url in inst["urls"].items():
        if path not in (base, "/") and "{" not in path:
            return url
    return inst["url"]


@pytest.mark.parametrize("pattern_id", sorted(SEED_IDS))
async def test_launch_hit_and_stop_each_pattern(server: ServerProcess, catalog: Catalog, pattern_id: str) -> None:
    progress: list[str] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with Client(server.mcp_url) as client:
        inst = (
            await client.call_tool("launch_pattern", {"pattern_id": pattern_id}, progress_handler=on_progress)
        ).structured_content
        assert inst["status"] == "running" and inst["pattern_id"] == pattern_id
        assert httpx.get(inst["health_url"]).status_code == 200
        page = httpx.get(inst["url"], follow_redirects=True)
        if catalog.get(pattern_id).meta.universal_jar is None:
            assert '<div id="root">' in page.text
        added = httpx.get(_first_added_url(catalog, pattern_id, inst))
        assert added.status_code < 500
        assert progress, "launch must report progress"
        listed = (await client.call_tool("list_instances", {})).structured_content
        assert inst["id"] in {i["id"] for i in listed["instances"]}
        detail = (await client.call_tool("get_instance", {"instance_id": inst["id"]})).structured_content
        assert detail["rss_mb"] and detail["rss_mb"] > 1 and detail["healthy"] is True
        stopped = (await client.call_tool("stop_instance", {"instance_id": inst["id"]})).structured_content
        assert stopped["status"] == "stopped"
    assert _wait_gone([inst["pid"]]) == []


async def test_logs_restart_and_crash_detection(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        inst = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
        httpx.get(inst["urls"]["/api/hello"])
        restarted = (await client.call_tool("restart_instance", {"instance_id": inst["id"]})).structured_content
        assert restarted["id"] == inst["id"] and restarted["port"] == inst["port"]
        assert restarted["pid"] != inst["pid"] and _wait_gone([inst["pid"]]) == []
        os.kill(restarted["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 3
        status = None
        while time.monotonic() < deadline:
            detail = (await client.call_tool("get_instance", {"instance_id": inst["id"]})).structured_content
            status = detail["status"]
            if status == "exited":
                break
            await asyncio.sleep(0.05)
        assert status == "exited" and detail["exit_code"] == -9
        logs = (await client.call_tool("instance_logs", {"instance_id": inst["id"], "limit": 50})).structured_content
        assert logs["lines"], "the log tail keeps the output of the ended process"


async def test_bad_arguments_are_clear_errors_and_server_stays_healthy(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        with pytest.raises(ToolError, match="Valid ids"):
            await client.call_tool("launch_pattern", {"pattern_id": "mount_nothing"})
        with pytest.raises(ToolError, match="Invalid pattern id"):
            await client.call_tool("launch_pattern", {"pattern_id": "../../bin/sh"})
        with pytest.raises(ToolError, match="out of range"):
            await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi", "port": 80})
        with pytest.raises(ToolError, match="Unknown instance"):
            await client.call_tool("stop_instance", {"instance_id": "nope"})
        with pytest.raises(ToolError):
            await client.call_tool("instance_logs", {"instance_id": "nope", "limit": 10**9})
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(ToolError, match=str(port)):
                await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi", "port": port})
    assert httpx.get(f"{server.base}/healthz").json()["status"] == "ok"


async def test_cap_and_concurrent_launches(tmp_path) -> None:
    srv = start_server(tmp_path, "--max-instances", "3")
    try:
        async with Client(srv.mcp_url) as client:
            launches = [client.call_tool("launch_pattern", {"pattern_id": "route_seo_metadata"}) for _ in range(3)]
            results = [r.structured_content for r in await asyncio.gather(*launches)]
            assert len({r["port"] for r in results}) == 3
            assert all(r["status"] == "running" for r in results)
            with pytest.raises(ToolError, match="cap of 3"):
                await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})
            done = (await client.call_tool("stop_all_instances", {})).structured_content
            assert all(i["status"] != "running" for i in done["instances"])
        assert _wait_gone([r["pid"] for r in results]) == []
    finally:
        stop_process(srv.proc)


async def test_stopping_the_server_stops_its_instances(tmp_path) -> None:
    srv = start_server(tmp_path)
    async with Client(srv.mcp_url) as client:
        inst = (await client.call_tool("launch_pattern", {"pattern_id": "mount_flask"})).structured_content
    assert stop_process(srv.proc) is not None
    assert _wait_gone([inst["pid"]]) == []


async def test_sigkill_of_the_server_leaves_no_instance(tmp_path) -> None:
    srv = start_server(tmp_path)
    async with Client(srv.mcp_url) as client:
        a = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
        b = (await client.call_tool("launch_pattern", {"pattern_id": "middleware_auth"})).structured_content
    server_children = [p.pid for p in psutil.Process(srv.proc.pid).children(recursive=True)]
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    assert _wait_gone([a["pid"], b["pid"], *server_children]) == []
    for inst in (a, b):
        with pytest.raises(httpx.HTTPError):
            httpx.get(inst["health_url"], timeout=1)
