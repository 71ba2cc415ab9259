"""Launcher and fork server against real processes: exits, SIGKILL escalation, pipe loss, unsafe preloads."""

from __future__ import annotations

import signal
import socket
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from st_patterns.instances.launcher import Child, Launcher, SpawnSpec

pytestmark = pytest.mark.processes

# A bare ASGI app (no Streamlit needed here) whose lifespan shutdown never finishes: SIGTERM alone cannot stop it.
STUBBORN_APP = """\
import asyncio

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await asyncio.sleep(3600)
    else:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
"""
POLITE_APP = """\
async def app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def is_gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "stubborn.py").write_text(STUBBORN_APP)
    (tmp_path / "polite.py").write_text(POLITE_APP)
    return tmp_path


@pytest.fixture(params=["fork", "cold"])
def launcher(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(use_fork=request.param == "fork", log_dir=tmp_path / "logs")
    launcher.start()
    yield launcher
    launcher.close()


def spawn(launcher: Launcher, app_dir: Path, entry: str, exits: list[Child] | None = None) -> tuple[Child, int]:
    port = free_port()
    spec = SpawnSpec(app_dir, entry, port, app_dir / f"{entry}.{port}.log")
    child = launcher.spawn(spec, on_exit=exits.append if exits is not None else None)
    assert wait_until(lambda: listening(port) or not child.alive, 30), child
    assert child.alive, (app_dir / f"{entry}.{port}.log").read_text()
    return child, port


def test_terminate_escalates_to_sigkill(launcher: Launcher, app_dir: Path) -> None:
    exits: list[Child] = []
    child, _ = spawn(launcher, app_dir, "stubborn.py", exits)
    assert child.mode == ("fork" if launcher.use_fork else "cold")
    started = time.monotonic()
    launcher.terminate([child], grace=0.5)
    assert child.returncode == -signal.SIGKILL and exits == [child]
    assert 0.5 <= time.monotonic() - started < 3
    assert is_gone(child.pid)


def test_exit_is_reported_without_asking(launcher: Launcher, app_dir: Path) -> None:
    exits: list[Child] = []
    child, _ = spawn(launcher, app_dir, "polite.py", exits)
    psutil.Process(child.pid).send_signal(signal.SIGKILL)
    assert child.wait(1.0) and exits == [child] and child.returncode == -signal.SIGKILL


def test_fork_server_stops_children_when_its_pipe_closes(app_dir: Path, tmp_path: Path) -> None:
    launcher = Launcher(log_dir=tmp_path)
    try:
        child, _ = spawn(launcher, app_dir, "polite.py")
        client = launcher._fork
        assert client is not None and client.proc.stdin is not None
        client.proc.stdin.close()  # what the kernel does when the server dies
        assert child.wait(5) and child.returncode == -signal.SIGTERM
        assert client.proc.wait(5) == 0
    finally:
        launcher.close()


def test_children_die_with_a_killed_fork_server_and_a_new_one_takes_over(app_dir: Path, tmp_path: Path) -> None:
    launcher = Launcher(log_dir=tmp_path)
    try:
        child, _ = spawn(launcher, app_dir, "polite.py")
        first = launcher.forkserver_pid
        assert first is not None
        psutil.Process(first).kill()
        assert child.wait(5) and wait_until(lambda: is_gone(child.pid), 5)
        again, _ = spawn(launcher, app_dir, "polite.py")
        assert again.mode == "fork" and launcher.forkserver_pid not in (None, first)
    finally:
        launcher.close()


def test_preload_that_starts_a_thread_sends_spawns_cold(
    app_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "starts_a_thread.py").write_text(
        textwrap.dedent("""\
        import threading, time
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
        """)
    )
    monkeypatch.setenv("PYTHONPATH", f"{modules}:{Path(__file__).resolve().parent.parent / 'server'}")
    launcher = Launcher(log_dir=tmp_path)
    try:
        assert launcher.wait_ready(30)
        port = free_port()
        spec = SpawnSpec(app_dir, "polite.py", port, tmp_path / "p.log", preload=("starts_a_thread",))
        child = launcher.spawn(spec)
        assert child.mode == "cold" and "starts_a_thread" in (launcher.fork_problem or "")
        assert wait_until(lambda: listening(port), 30)
    finally:
        launcher.close()


def test_fork_server_command_is_plain_python(tmp_path: Path) -> None:
    launcher = Launcher(log_dir=tmp_path)
    try:
        assert launcher.wait_ready(30)
        pid = launcher.forkserver_pid
        assert pid is not None
        cmdline = psutil.Process(pid).cmdline()
        assert cmdline[:4] == [sys.executable, "-P", "-m", "st_patterns.instances.forkserver"]
        assert len(psutil.Process(pid).threads()) == 1  # forking is only safe single-threaded
    finally:
        launcher.close()
