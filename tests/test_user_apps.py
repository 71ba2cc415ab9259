"""The agent's own app as an instance: launch_app over MCP (HTTP) and the CLI, in the bubblewrap sandbox.

Real apps written here (a folder project, an app guarded everywhere, one mounted under /dashboard/, one that fails
at import), a real `st-patterns serve --sandbox bwrap --workspace DIR`, real edits under watch.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport
from fastmcp.exceptions import ToolError

from conftest import ServerProcess, st_patterns_cmd, start_server
from sandboxes import require
from serving import stop_process

pytestmark = [pytest.mark.sandbox, pytest.mark.processes]

UI = "import streamlit as st\nst.title('shop')\nst.write('{marker}')\n"
SHOP = """\
from pathlib import Path

from fastapi import FastAPI
from starlette.routing import Mount
from streamlit.starlette import App

api = FastAPI()


@api.get("/version")
async def version() -> dict[str, str]:
    return {"version": "{version}"}


app = App(str(Path(__file__).with_name("ui.py")), routes=[Mount("/api", app=api)])
"""
GUARDED = '''\
from pathlib import Path

from streamlit.starlette import App


class DenyAll:
    """Pure ASGI: refuses every request and websocket, health included (as a strict app may)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"login first"})
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, send)


ui = App(str(Path(__file__).with_name("ui.py")))
app = DenyAll(ui)
'''
MOUNTED = """\
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from streamlit.starlette import App

ui = App(str(Path(__file__).with_name("ui.py")))


@asynccontextmanager
async def lifespan(app):
    async with ui.lifespan()(app):
        yield


app = FastAPI(lifespan=lifespan)
app.mount("/dashboard", ui)
"""


def _project(folder: Path, app_source: str, marker: str = "v1") -> Path:
    folder.mkdir(parents=True)
    (folder / "ui.py").write_text(UI.replace("{marker}", marker))
    (folder / "app.py").write_text(app_source)
    return folder


@dataclass
class UserServer:
    server: ServerProcess
    work: Path  # the server's --workspace

    @property
    def mcp_url(self) -> str:
        return self.server.mcp_url

    @property
    def base(self) -> str:
        return self.server.base


@pytest.fixture(scope="module")
def sandboxed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UserServer]:
    """`serve --sandbox bwrap --workspace WORK`: agents' paths must be inside WORK."""
    require("bwrap")
    tmp = tmp_path_factory.mktemp("user-apps")
    (tmp / "work").mkdir()
    srv = start_server(tmp, "--sandbox", "bwrap", "--workspace", str(tmp / "work"))
    yield UserServer(srv, tmp / "work")
    stop_process(srv.proc)


async def _launch(srv: UserServer, **args: object) -> dict[str, object]:
    async with Client(srv.mcp_url) as client:
        result = await client.call_tool("launch_app", args)
        return result.structured_content  # type: ignore[return-value]


async def _stop(srv: UserServer, instance_id: str) -> None:
    async with Client(srv.mcp_url) as client:
        await client.call_tool("stop_instance", {"instance_id": instance_id})


def _page_text(url: str) -> str:
    return httpx.get(url, timeout=5).text


async def test_a_project_folder_runs_as_a_sandboxed_instance_and_restarts_on_edit(
    sandboxed_server: UserServer,
) -> None:
    work = sandboxed_server.work
    project = _project(work / "shop", SHOP.replace("{version}", "1"))
    inst = await _launch(sandboxed_server, path=str(project))
    try:
        assert inst["kind"] == "app" and inst["sandbox"] == "bwrap" and inst["status"] == "running"
        assert inst["app_path"] == str(project / "app.py") and inst["pattern_id"] == "shop"
        url = str(inst["url"])
        assert httpx.get(url + "_stcore/health").text == "ok"
        async with Client(sandboxed_server.mcp_url) as client:
            listed = (await client.call_tool("list_instances", {})).structured_content
        assert any(i["id"] == inst["id"] and i["kind"] == "app" for i in listed["instances"])
        first_pid = inst["pid"]
        edited = time.monotonic()
        (project / "app.py").write_text(SHOP.replace("{version}", "2") + "\n# edited\n")
        deadline = edited + 2.0
        new_pid = None
        while time.monotonic() < deadline:
            async with Client(sandboxed_server.mcp_url) as client:
                now = (await client.call_tool("get_instance", {"instance_id": inst["id"]})).structured_content
            if now["pid"] != first_pid and now["status"] == "running":
                new_pid = now["pid"]
                break
            time.sleep(0.05)
        assert new_pid is not None, "the edit was not served within 2 s"
        assert not psutil.pid_exists(int(first_pid))  # type: ignore[arg-type]
        assert httpx.get(url + "_stcore/health").status_code == 200
    finally:
        await _stop(sandboxed_server, str(inst["id"]))


async def test_an_app_that_guards_everything_and_one_mounted_under_a_prefix_are_both_provable(
    sandboxed_server: UserServer,
) -> None:
    work = sandboxed_server.work
    guarded = await _launch(sandboxed_server, path=str(_project(work / "guarded", GUARDED)), watch=False)
    mounted = await _launch(sandboxed_server, path=str(_project(work / "mounted", MOUNTED)), watch=False)
    try:
        assert guarded["status"] == "running"
        assert httpx.get(str(guarded["health_url"])).status_code == 401  # up, and refusing us as it should
        assert mounted["status"] == "running" and str(mounted["url"]).endswith("/dashboard/")
        assert httpx.get(str(mounted["health_url"])).text == "ok"
    finally:
        await _stop(sandboxed_server, str(guarded["id"]))
        await _stop(sandboxed_server, str(mounted["id"]))


async def test_an_import_error_comes_back_with_the_exception_not_a_timeout(sandboxed_server: UserServer) -> None:
    work = sandboxed_server.work
    broken = _project(
        work / "broken", "import not_installed_anywhere\nfrom streamlit.starlette import App\napp = App('ui.py')\n"
    )
    started = time.monotonic()
    with pytest.raises(ToolError) as caught:
        await _launch(sandboxed_server, path=str(broken), watch=False)
    message = str(caught.value)
    assert "not_installed_anywhere" in message and "ModuleNotFoundError" in message and "pip install" in message
    assert time.monotonic() - started < 15


async def test_files_sent_over_http_run(sandboxed_server: UserServer) -> None:
    files = {"app.py": SHOP.replace("{version}", "files"), "ui.py": UI.replace("{marker}", "sent")}
    inst = await _launch(sandboxed_server, files=files)
    try:
        assert inst["status"] == "running" and inst["kind"] == "app"
        assert "state" in str(inst["app_path"])  # written to a private folder under the server's state dir
    finally:
        await _stop(sandboxed_server, str(inst["id"]))


async def test_paths_outside_the_workspace_are_refused(sandboxed_server: UserServer, tmp_path: Path) -> None:
    outside = _project(tmp_path / "elsewhere", SHOP)
    for path in (str(outside), "/etc", "../../etc/passwd"):
        with pytest.raises(ToolError, match="outside the folders this server may read"):
            await _launch(sandboxed_server, path=path)
    async with Client(sandboxed_server.mcp_url) as client:
        with pytest.raises(ToolError, match="outside the folders this server may read"):
            await client.call_tool("check_app", {"path": str(outside / "app.py")})
    assert httpx.get(f"{sandboxed_server.base}/healthz").json()["status"] == "ok"


def test_cli_launches_an_app_on_the_running_server(sandboxed_server: UserServer) -> None:
    work = sandboxed_server.work
    project = _project(work / "cli_shop", SHOP.replace("{version}", "cli"))
    cmd = [*st_patterns_cmd(), "launch", "--app", str(project), "--no-watch", "--json"]
    done = subprocess.run([*cmd, "--server", sandboxed_server.mcp_url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    inst = json.loads(done.stdout)
    assert inst["kind"] == "app" and inst["sandbox"] == "bwrap"
    stop = [*st_patterns_cmd(), "stop", inst["id"], "--server", sandboxed_server.mcp_url]
    assert subprocess.run(stop, capture_output=True, timeout=60).returncode == 0


async def test_over_stdio_the_clients_roots_confine_paths(tmp_path: Path) -> None:
    """A desktop client over stdio declares its roots: apps inside run, paths outside are refused (the server's
    own workspace, wider than the roots, no longer applies). Roots exist in the 2025-11-25 protocol revision only;
    on 2026-07-28 (no roots, no server-to-client requests) the workspace applies, as over HTTP above."""
    require("bwrap")
    root = tmp_path / "root"
    inside = _project(root / "shop", SHOP.replace("{version}", "stdio"))
    outside = _project(tmp_path / "elsewhere", SHOP)
    cmd = st_patterns_cmd()
    args = [*cmd[1:], "stdio", "--state-dir", str(tmp_path / "state"), "--sandbox", "bwrap"]
    transport = StdioTransport(command=cmd[0], args=[*args, "--workspace", str(tmp_path)], cwd=str(tmp_path))
    async with Client(transport, roots=[root.as_uri()], mode="legacy") as client:  # roots live in 2025-11-25
        assert client.protocol_version == "2025-11-25"
        inst = (await client.call_tool("launch_app", {"path": str(inside), "watch": False})).structured_content
        try:
            assert inst["status"] == "running" and inst["sandbox"] == "bwrap"
            assert httpx.get(str(inst["health_url"])).text == "ok"
        finally:
            await client.call_tool("stop_instance", {"instance_id": inst["id"]})
        with pytest.raises(ToolError, match="outside the folders this server may read"):
            await client.call_tool("launch_app", {"path": str(outside)})
        result = (await client.call_tool("validate_app", {"path": str(inside)})).structured_content
        assert result["passed"] is True, result["failures"]
