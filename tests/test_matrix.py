"""The version matrix: releases and pins, the committed compatibility file, version-aware answers, and real runs
(an environment built with uv for Streamlit 1.53, patterns booted in it; a wrong probe turning a cell red).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastmcp import Client
from packaging.version import Version

from st_patterns.catalog.compat import Compatibility
from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.releases import RELEASES, covering, pins_for, satisfying, select
from st_patterns.errors import InvalidInput
from st_patterns.matrix.envs import MARKER, Environments, current_streamlit
from st_patterns.matrix.run import requirements_for, run_matrix
from st_patterns.paths import patterns_dir

from conftest import ServerProcess, payload, st_patterns_cmd

OLDEST = RELEASES[0]


def test_releases_are_the_latest_patch_of_every_minor_from_1_53() -> None:
    minors = [tuple(map(int, r.split(".")[:2])) for r in RELEASES]
    assert minors == [(1, m) for m in range(53, 53 + len(RELEASES))] and RELEASES[-1] == current_streamlit()
    assert covering("1.58") == "1.58.0" and covering("1.59.0") == "1.59.2" and covering("1.52.2") is None
    assert select("1.67, 1.53,1.53.0") == ["1.53.1", "1.67.0"] and select(None) == list(RELEASES)
    assert satisfying(">=1.56,<1.60") == ["1.56.0", "1.57.0", "1.58.0", "1.59.2"]
    with pytest.raises(InvalidInput, match=r"no st\.App"):
        select("1.40")
    with pytest.raises(InvalidInput, match="not a Streamlit version"):
        select("latest")
    assert [req for req, _ in pins_for("1.60.0")] == ["starlette<1.4"] and pins_for("1.61.1") == []


def test_the_committed_matrix_covers_every_pattern_on_every_release() -> None:
    compat = Compatibility.load(patterns_dir() / "compatibility.json")
    assert compat is not None, "patterns/compatibility.json is missing: run st-patterns matrix --all-releases --write"
    catalog = Catalog.load()
    assert sorted(compat.cells) == catalog.ids()
    assert compat.versions == list(RELEASES)
    for pattern_id, row in compat.cells.items():
        assert sorted(row) == sorted(RELEASES), pattern_id
        for version, cell in row.items():
            assert cell.passed or cell.first_failure, (pattern_id, version)  # every red cell says why
            assert cell.checks > 0 or not cell.applicable
        minimum = catalog.get(pattern_id).meta.min_streamlit
        for version, cell in row.items():  # a pattern written for a newer API is not run where it cannot be
            assert cell.applicable == (minimum is None or Version(version) >= Version(minimum)), (pattern_id, version)


async def test_releases_older_than_a_patterns_minimum_are_not_run_and_not_failures(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(patterns_dir() / "mount_fastapi", root / "mount_fastapi")
    meta = root / "mount_fastapi" / "pattern.toml"
    meta.write_text(meta.read_text() + 'min_streamlit = "1.60"\nmin_streamlit_why = "a newer API"\n')
    catalog = Catalog.load(root)
    versions = [OLDEST, covering("1.55")]
    report = await run_matrix(catalog, versions, ["all"], Environments(tmp_path / "envs"), tmp_path)
    cell = report.cell("mount_fastapi", OLDEST)
    assert not cell.applicable and not cell.passed and cell.first_failure == "needs Streamlit >= 1.60 (a newer API)"
    assert report.passed and report.environments == []  # nothing to run there: no environment built
    compat = report.compatibility({})
    answer = compat.answer("mount_fastapi", "1.55")
    assert answer.status == "needs-newer" and "1.60" in answer.detail


def test_answers_are_for_the_release_asked_about() -> None:
    catalog = Catalog.load()
    detail = catalog.detail("mount_fastapi", "1.58.1")
    assert detail.streamlit == ">=1.53,<=1.67"
    assert detail.on_version is not None and detail.on_version.status == "proven"
    assert detail.on_version.release == "1.58.0" and detail.on_version.pins == ["starlette<1.4"]
    assert "starlette<1.4" in detail.on_version.detail
    newest = catalog.detail("mount_fastapi", "1.67").on_version
    assert newest is not None and newest.pins == [] and newest.status == "proven"
    old = catalog.list(streamlit_version="1.50")
    assert {s.on_version.status for s in old if s.on_version} == {"no-st-app"}
    future = catalog.detail("mount_fastapi", "1.90").on_version
    assert future is not None and future.status == "untested"
    assert catalog.detail("mount_fastapi").on_version is None
    with pytest.raises(InvalidInput):
        catalog.detail("mount_fastapi", "one point five")


async def test_get_and_list_patterns_answer_for_a_version_over_mcp(server: ServerProcess) -> None:
    async with Client(server.mcp_url) as client:
        detail = payload(
            await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "streamlit_version": "1.55"})
        )
        listed = (await client.call_tool("list_patterns", {"streamlit_version": "1.62"})).structured_content
    assert detail["streamlit"] == ">=1.53,<=1.67" and detail["on_version"]["status"] == "proven"
    assert detail["on_version"]["pins"] == ["starlette<1.4"]
    assert all(p["on_version"]["status"] == "proven" for p in listed["patterns"])


@pytest.mark.processes
def test_an_environment_is_built_once_and_rebuilt_when_incomplete(tmp_path: Path) -> None:
    envs = Environments(tmp_path / "envs")
    extra = requirements_for(Catalog.load(), Catalog.load().ids())
    first = envs.ensure(OLDEST, extra)
    assert first.built and first.tool == "uv" and first.packages["streamlit"] == OLDEST
    assert first.packages["starlette"].startswith(("0.", "1.0", "1.1", "1.2", "1.3"))  # the pin held
    again = envs.ensure(OLDEST, extra)
    assert not again.built and again.python == first.python
    (envs.folder(OLDEST, extra) / MARKER).unlink()  # as if the build had been interrupted
    assert envs.ensure(OLDEST, extra).built
    done = subprocess.run(
        [first.python, "-c", "import streamlit, streamlit.starlette; print(streamlit.__version__)"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.strip() == OLDEST


@pytest.mark.processes
def test_the_matrix_on_the_oldest_release_boots_patterns_in_its_environment(tmp_path: Path) -> None:
    junit = tmp_path / "matrix.xml"
    cmd = [*st_patterns_cmd(), "matrix", "--streamlit", "1.53", "--patterns", "mount_fastapi,middleware_auth"]
    done = subprocess.run([*cmd, "--json", "--junit", str(junit)], capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["versions"] == [OLDEST] and report["passed"] is True
    assert report["cells"]["middleware_auth"][OLDEST]["checks"] >= 20
    env = report["environments"][0]
    assert env["packages"]["streamlit"] == OLDEST and env["tool"] == "uv"
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert sorted(c.get("name") or "" for c in cases) == ["middleware_auth", "mount_fastapi"]
    assert {c.get("classname") for c in cases} == {f"streamlit-{OLDEST}"}


@pytest.mark.processes
def test_a_red_cell_names_its_first_failing_check(tmp_path: Path) -> None:
    catalog_copy = tmp_path / "catalog"
    shutil.copytree(patterns_dir() / "mount_fastapi", catalog_copy / "mount_fastapi")
    probes = catalog_copy / "mount_fastapi" / "probes.toml"
    probes.write_text(probes.read_text().replace("expect_status = 200", "expect_status = 418", 1))
    env = {**__import__("os").environ, "ST_PATTERNS_CATALOG": str(catalog_copy)}
    cmd = [*st_patterns_cmd(), "matrix", "--streamlit", "1.67"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1
    assert "mount_fastapi     --" in done.stdout or "mount_fastapi  --" in done.stdout.replace("   ", "  ")
    assert "mount_fastapi @ 1.67.0:" in done.stdout and "status 200" in done.stdout


@pytest.mark.processes
async def test_run_matrix_over_mcp_reports_progress_and_stops_everything_when_cancelled(server: ServerProcess) -> None:
    import anyio

    messages: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")

    async with Client(server.mcp_url) as client:
        result = await client.call_tool(
            "run_matrix", {"streamlit": ["1.67"], "patterns": ["mount_fastapi"]}, progress_handler=on_progress
        )
        report = result.structured_content
        assert report is not None and report["cells"]["mount_fastapi"]["1.67.0"]["passed"] is True
        assert any("mount_fastapi: pass" in m for m in messages), messages
    # Cancel a run on the oldest release while its patterns are being proven, the way a client that cancels does
    # it: notifications/cancelled with the request's id (the Python SDK's client never sends one itself).
    started = await anyio.to_thread.run_sync(_call_then_cancel, server.mcp_url)
    assert started, "the run never reported progress"
    envs_root = str(Path.home() / ".cache" / "st-patterns" / "envs")
    # A stop may take its grace (TERM, then KILL after 5 s); uncancelled, eight releases take > 30 s.
    seen = await _processes_under(envs_root, grace=7.0, watch=6.0)
    assert not seen, f"processes of the cancelled run kept running (or new ones started): {seen}"
    async with Client(server.mcp_url) as client:  # the server stayed healthy
        health = await client.call_tool("list_patterns", {})
    assert health.structured_content and health.structured_content["total"] == len(Catalog.load().ids())


async def _processes_under(root: str, grace: float, watch: float) -> list[int]:
    """Pids running something under ``root`` at any moment of ``watch`` s, once ``grace`` s (to stop) have passed."""
    import contextlib

    import anyio
    import psutil

    await anyio.sleep(grace)
    deadline = anyio.current_time() + watch
    seen: set[int] = set()
    while anyio.current_time() < deadline:
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error):
                if any(root in part for part in proc.info["cmdline"] or []):
                    seen.add(proc.pid)
        await anyio.sleep(0.25)
    return sorted(seen)


EIGHT = ["1.53", "1.54", "1.55", "1.56", "1.57", "1.58", "1.59", "1.60"]


def _call_then_cancel(url: str) -> list[str]:
    """Raw streamable HTTP: initialize, call run_matrix on eight releases, cancel it once patterns are being
    proven on the first."""
    import httpx

    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }  # fmt: skip
    progress: list[str] = []
    with httpx.Client(timeout=60) as http:
        answer = http.post(url, json=init, headers=headers)
        session = {**headers, "mcp-session-id": answer.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session)
        call = {
            "jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "run_matrix", "arguments": {"streamlit": EIGHT}, "_meta": {"progressToken": "p"}},
        }  # fmt: skip
        with http.stream("POST", url, json=call, headers=session) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:") and '"notifications/progress"' in line:
                    progress.append(line)
                    if "validating" in line:
                        break
        cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "t"}}
        http.post(url, json=cancel, headers=session)
    return progress
