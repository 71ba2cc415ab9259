"""Shared fixtures: the catalog, a real `st-patterns serve` process, and helpers to start processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from st_patterns.catalog.loader import Catalog

from serving import free_port, stop_process, wait_until_responds

REPO = Path(__file__).resolve().parent.parent
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
MCP_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
ARTIFACTS = REPO / "test-artifacts"


def st_patterns_cmd() -> list[str]:
    """The console script of THIS interpreter's environment (never another install found on PATH)."""
    exe = Path(sys.executable).parent / "st-patterns"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "st_patterns"]


def payload(result: object) -> dict:  # type: ignore[type-arg]
    """A tool's answer as data: its structured content, or the JSON text block of tools that send only that
    (get_pattern, explain_pattern: one copy of the code, not two)."""
    structured = getattr(result, "structured_content", None)
    if structured is not None:
        return structured
    return json.loads(result.content[0].text)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class ServerProcess:
    """A running `st-patterns serve` subprocess."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path, state_dir: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log
        self.state_dir = state_dir
        self.base = f"http://127.0.0.1:{port}"
        self.mcp_url = f"{self.base}/mcp"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    tmp: Path, *extra: str, env: dict[str, str] | None = None, replace_state: bool = False
) -> ServerProcess:
    """Start `st-patterns serve` on a free port; ``replace_state`` means ``extra`` brings its own --state-dir."""
    port = free_port()
    state = tmp / "state"
    log = tmp / "server.log"
    state_args = [] if replace_state else ["--state-dir", str(state)]
    cmd = [*st_patterns_cmd(), "serve", "--port", str(port), *state_args, *extra]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tmp, env={**os.environ, **(env or {})})
    server = ServerProcess(proc, port, log, state)
    try:
        wait_until_responds(f"{server.base}/healthz", timeout=60, proc=proc)
    except Exception as exc:
        stop_process(proc)
        raise RuntimeError(f"{exc}\n{server.log_text()[-4000:]}") from exc
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the session's HTTP tests."""
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_process(srv.proc)
