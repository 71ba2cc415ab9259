"""A hostile app for the sandbox tests: a real st.App page, plus /attempts, which tries to break out.

Each attempt reports {"blocked": bool, "detail": str}; "controls" shows what must still work (its own /tmp).
Targets come from the environment the test sets: TARGET_FILES (paths to read), TARGET_WRITES (paths to create),
TARGET_PORTS (host loopback ports to connect to), each os.pathsep-separated. The page must keep serving whatever
the attempts do.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

FORKS = 1000
ALLOC_BYTES = 2 << 30
PAGE = 4096


def _split(name: str) -> list[str]:
    return [part for part in os.environ.get(name, "").split(os.pathsep) if part]


def _read(path: str) -> dict[str, object]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(64)
    except OSError as exc:
        return {"blocked": True, "detail": f"{type(exc).__name__}: {exc}"}
    return {"blocked": False, "detail": f"read {len(data)} bytes"}


def _write(path: str) -> dict[str, object]:
    try:
        with open(path, "w") as handle:
            handle.write("escaped")
    except OSError as exc:
        return {"blocked": True, "detail": f"{type(exc).__name__}: {exc}"}
    return {"blocked": False, "detail": "written"}


def _connect(port: int) -> dict[str, object]:
    for host in ("127.0.0.1", "::1"):
        try:
            with socket.create_connection((host, port), timeout=2):
                return {"blocked": False, "detail": f"connected to {host}:{port}"}
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
    return {"blocked": True, "detail": last}


def _fork_bomb() -> dict[str, object]:
    children: list[int] = []
    error = ""
    for _ in range(FORKS):
        try:
            pid = os.fork()
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
        if pid == 0:  # become a tiny process at once: the attempt is about the count, not memory
            try:
                os.execv("/bin/sleep", ["sleep", "3"])
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return {"blocked": len(children) < FORKS, "detail": f"{len(children)} forks succeeded; {error}"}


def _allocate() -> dict[str, object]:
    pid = os.fork()
    if pid == 0:
        try:
            with open("/proc/self/oom_score_adj", "w") as handle:  # the kernel's OOM killer takes this child first
                handle.write("1000")
            data = bytearray(ALLOC_BYTES)
            for offset in range(0, ALLOC_BYTES, PAGE):
                data[offset] = 1
        except MemoryError:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {"blocked": code != 0, "detail": f"allocating child ended with {code}"}


def attempts(request: Request) -> JSONResponse:
    """Plain def: Starlette runs it in a thread, so the page keeps answering meanwhile."""
    report: dict[str, dict[str, object]] = {}
    for path in _split("TARGET_FILES"):
        report[f"read {path}"] = _read(path)
    for path in _split("TARGET_WRITES"):
        report[f"write {path}"] = _write(path)
    for port in _split("TARGET_PORTS"):
        report[f"connect {port}"] = _connect(int(port))
    report["fork 1000"] = _fork_bomb()
    report["allocate 2 GiB"] = _allocate()
    own_tmp = _write(os.path.join(os.environ.get("TMPDIR", "/tmp"), "mine"))
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    controls = {
        "own_tmp_writable": not own_tmp["blocked"],
        "uid": os.getuid(),
        "euid": os.geteuid(),
        "capabilities": int(status["CapEff"].strip(), 16) | int(status["CapPrm"].strip(), 16),
        "no_new_privs": status.get("NoNewPrivs", "").strip() == "1",
    }
    return JSONResponse({"attempts": report, "controls": controls})


app = App(str(Path(__file__).with_name("ui.py")), routes=[Route("/attempts", attempts)])
