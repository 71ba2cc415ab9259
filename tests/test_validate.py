"""validate_pattern and check_app through MCP (real server) and the CLI (real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from st_patterns.catalog.loader import Catalog

from conftest import ServerProcess, st_patterns_cmd, start_server, stop_process

pytestmark = pytest.mark.processes

BROKEN_AUTH = """
from pathlib import Path
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import RedirectResponse
from streamlit.starlette import App

class Auth(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.url.path.startswith("/_stcore") or request.cookies.get("session"):
            return await call_next(request)
        return RedirectResponse("/login")

app = App("ui.py", middleware=[Middleware(Auth)])
"""


async def test_validate_one_pattern_over_mcp_reports_every_check(server: ServerProcess) -> None:
    progress: list[str] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with Client(server.mcp_url) as client:
        result = await client.call_tool(
            "validate_pattern", {"pattern_id": "middleware_ip_whitelist", "detail": "all"}, progress_handler=on_progress
        )
        compact = (
            await client.call_tool("validate_pattern", {"pattern_id": "middleware_ip_whitelist"})
        ).structured_content
    summary = result.structured_content
    assert summary["passed"] is True and summary["patterns"] == 1
    report = summary["reports"][0]
    groups = {c["group"] for c in report["checks"]}
    assert groups == {"pattern", "universal"}
    assert any(c["kind"] == "websocket" and c["negative"] for c in report["checks"])
    assert all(c["expected"] and c["actual"] for c in report["checks"])
    assert len(progress) == report["total"], "one progress notification per check"
    # by default only the red checks come back (none here), with the counts
    assert (
        compact["passed"]
        and compact["reports"][0]["checks"] == []
        and compact["reports"][0]["total"] == report["total"]
    )


async def test_validate_unknown_id_is_refused(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        with pytest.raises(ToolError, match="Valid ids"):
            await client.call_tool("validate_pattern", {"pattern_id": "nope_nope"})


def test_cli_validate_all_is_green_and_writes_junit(tmp_path: Path) -> None:
    junit = tmp_path / "validate.xml"
    done = subprocess.run(
        [*st_patterns_cmd(), "validate", "--all", "--junit", str(junit)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    count = len(Catalog.load())
    assert f"{count} patterns" in done.stdout and "all green" in done.stdout
    if os.environ.get("CI"):  # CI installs every sidecar's program: nothing may be skipped there
        assert "skipped" not in done.stdout, done.stdout
    root = ET.parse(junit).getroot()
    assert len(root.findall("testsuite")) == count
    assert root.get("failures") == "0" and int(root.get("tests", "0")) > 100


def test_cli_validate_fails_on_a_red_check(tmp_path: Path) -> None:
    """A copy of a pattern whose probe expects the wrong answer must turn the run red (exit 1)."""
    import shutil

    from st_patterns.paths import patterns_dir

    catalog_dir = tmp_path / "catalog"
    shutil.copytree(patterns_dir() / "mount_fastapi", catalog_dir / "mount_fastapi")
    probes = catalog_dir / "mount_fastapi" / "probes.toml"
    probes.write_text(
        probes.read_text().replace("expect_body_contains = ['\"hello probe\"']", 'expect_body_contains = ["nope"]')
    )
    done = subprocess.run(
        [*st_patterns_cmd(), "validate", "mount_fastapi", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "ST_PATTERNS_CATALOG": str(catalog_dir)},
    )
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    failed = [c for c in summary["reports"][0]["checks"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["API answers JSON"]
    assert "nope" in failed[0]["expected"]


async def test_check_app_over_mcp_finds_the_public_mistakes(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        report = (await client.call_tool("check_app", {"source": BROKEN_AUTH})).structured_content
    rules = {f["rule_id"] for f in report["findings"]}
    assert {
        "ws-unguarded-middleware",
        "stcore-exempted",
        "login-redirect-missing-route",
        "relative-script-path",
    } <= rules
    assert report["ok"] is False
    assert all(f["fix"] and f["line"] >= 1 for f in report["findings"])


async def test_check_app_over_mcp_follows_imports_between_the_files_sent(server: ServerProcess) -> None:
    guard = (
        "from starlette.middleware.base import BaseHTTPMiddleware\n"
        "from starlette.responses import PlainTextResponse\n\n\n"
        "class Guard(BaseHTTPMiddleware):\n"
        "    async def dispatch(self, request, call_next):\n"
        "        if request.cookies.get('s') != 'ok':\n"
        "            return PlainTextResponse('no', status_code=401)\n"
        "        return await call_next(request)\n"
    )
    entry = (
        "from pathlib import Path\nfrom starlette.middleware import Middleware\nfrom streamlit.starlette import App\n"
        "from security import Guard\n"
        "app = App(Path(__file__).with_name('ui.py'), middleware=[Middleware(Guard)])\n"
    )
    files = {"app.py": entry, "security.py": guard}
    async with Client(server.mcp_url) as client:
        report = (await client.call_tool("check_app", {"files": files})).structured_content
        quiet = (await client.call_tool("check_app", {"source": entry})).structured_content
    assert [(f["file"], f["rule_id"], f["line"]) for f in report["findings"]] == [
        ("security.py", "ws-unguarded-middleware", 5)
    ]
    assert quiet["findings"] == []  # the entry alone: the guard's code is not there to judge


async def test_check_app_dynamic_is_refused_without_a_sandbox_or_allow_user_code(tmp_path: Path) -> None:
    srv = start_server(tmp_path, "--sandbox", "none")
    try:
        async with Client(srv.mcp_url) as client:
            with pytest.raises(ToolError, match=r"needs a sandbox.*--allow-user-code"):
                await client.call_tool("check_app", {"source": "app = 1", "dynamic": True})
            with pytest.raises(ToolError, match="exactly one"):
                await client.call_tool("check_app", {})
    finally:
        stop_process(srv.proc)


async def test_check_app_dynamic_boots_user_code_when_allowed(tmp_path: Path) -> None:
    app_dir = tmp_path / "user"
    app_dir.mkdir()
    (app_dir / "ui.py").write_text("import streamlit as st\nst.write('user app')\n")
    (app_dir / "main.py").write_text(
        "from pathlib import Path\nfrom streamlit.starlette import App\n"
        "app = App(Path(__file__).resolve().parent / 'ui.py')\n"
    )
    srv = start_server(tmp_path, "--allow-user-code")
    try:
        async with Client(srv.mcp_url) as client:
            report = (
                await client.call_tool("check_app", {"path": str(app_dir / "main.py"), "dynamic": True})
            ).structured_content
        assert report["dynamic"]["passed"] is True, report["dynamic"]
        assert any(c["kind"] == "websocket" and c["passed"] for c in report["dynamic"]["checks"])
        assert report["ok"] is True
    finally:
        stop_process(srv.proc)


def test_cli_check_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(BROKEN_AUTH)
    done = subprocess.run([*st_patterns_cmd(), "check", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "ws-unguarded-middleware" in done.stdout
    from st_patterns.paths import patterns_dir

    good = patterns_dir() / "middleware_auth" / "app.py"
    done = subprocess.run(
        [*st_patterns_cmd(), "check", str(good), "--json"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["errors"] == 0
    missing = subprocess.run([*st_patterns_cmd(), "check", str(tmp_path / "nope.py")], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error:")  # 2: the check could not run
