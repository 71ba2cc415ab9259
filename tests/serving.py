"""Test support: serve a pattern's reference app with a real uvicorn subprocess and wait for health."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from st_patterns.catalog.loader import Pattern


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_responds(url: str, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> int:
    """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@contextlib.contextmanager
def serve_pattern(pattern: Pattern, log_dir: Path) -> Iterator[str]:
    """Start ``uvicorn app:app`` for the pattern from an unrelated cwd; yield its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(pattern.folder)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    if not pattern.meta.proxy_headers:
        cmd.append("--no-proxy-headers")
    log_path = log_dir / f"{pattern.id}.log"
    env = {**os.environ, **pattern.meta.env}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=log_dir, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        health = base + pattern.meta.base_path + "_stcore/health"
        try:
            wait_until_responds(health, proc=proc)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n--- log ---\n{log_path.read_text()[-3000:]}") from exc
        yield base
    finally:
        stop_process(proc, timeout=10)
