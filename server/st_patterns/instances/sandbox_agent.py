"""The process inside a sandbox: imports Streamlit and friends ahead of time, then becomes one app.

Run by a sandbox backend (bubblewrap or a container), never by hand, as
``python -P -m st_patterns.instances.sandbox_agent --control-fd N`` (an inherited unix socket) or
``--control-socket PATH`` (a unix socket the server listens on, reached through a bind mount). The sandbox has no
network of its own: the server binds the app's port on the host's loopback and passes the listening socket in, with
the instance's log file, over the control socket (``SCM_RIGHTS``). Messages are JSON lines::

    agent -> server   {"event": "ready", "ok": true, "seconds": 1.2, "failed": {}}
    server -> agent   {"op": "spawn", "folder": "/app", "entry": "app.py", "port": 8501, ...}  + fds [listen, log]
    agent -> server   {"ok": true, "pid": 2}

After the spawn the agent serves the app in this very process (no fork: one sandbox, one app). When the control
socket closes (the server stopped or died) the app gets SIGTERM, then the process exits. Like the fork server, this
module imports only the standard library and ``forkserver`` (which imports nothing of st_patterns).
"""

from __future__ import annotations

import argparse
import array
import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any

from st_patterns.instances import forkserver

MAX_MESSAGE = 1 << 20
EXIT_GRACE = 4.0  # seconds the app gets to shut down after the control socket closes


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        sock.sendall((json.dumps(message) + "\n").encode())


def receive_spawn(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """Block until the server sends the spawn request; return it with the file descriptors that came along."""
    data, fds = b"", []
    while b"\n" not in data:
        fd_buffer = array.array("i")
        chunk, ancillary, _flags, _addr = sock.recvmsg(MAX_MESSAGE, socket.CMSG_LEN(8 * fd_buffer.itemsize))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fd_buffer.frombytes(payload[: len(payload) - (len(payload) % fd_buffer.itemsize)])
                fds.extend(fd_buffer)
        if not chunk:
            raise EOFError("the server closed the control socket before sending a spawn")
        data += chunk
    return json.loads(data.split(b"\n", 1)[0]), fds


def _watch_control(sock: socket.socket) -> None:
    """EOF on the control socket means the server is gone: stop the app gracefully, then for sure."""
    with contextlib.suppress(OSError):
        while sock.recv(4096):
            pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(EXIT_GRACE)
    os._exit(0)


def _connect(args: argparse.Namespace) -> socket.socket:
    if args.control_fd is not None:
        return socket.socket(fileno=args.control_fd)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.control_socket)
    return sock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m st_patterns.instances.sandbox_agent")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--control-fd", type=int, help="an inherited, connected unix socket")
    where.add_argument("--control-socket", help="path of the server's unix socket")
    parser.add_argument("--preload", default="", help="comma-separated extra modules to import up front")
    args = parser.parse_args(argv)
    forkserver.set_thread_name("stp-sandbox")
    sock = _connect(args)
    started = time.perf_counter()
    failed = forkserver.import_modules(forkserver.ESSENTIAL_MODULES)
    if failed:
        _send(sock, {"event": "ready", "ok": False, "failed": failed})
        return 2
    failed.update(forkserver.import_modules(forkserver.SERVER_START_MODULES))
    if problem := forkserver.cache_component_scan():  # done now, off the launch's critical path (~0.1-0.2 s)
        failed["component scan cache"] = problem
    extra = [name.strip() for name in args.preload.split(",") if name.strip()]
    failed.update(forkserver.import_modules([n for m in extra for n in (m, *forkserver.PRELOAD_EXTRAS.get(m, ()))]))
    _send(sock, {"event": "ready", "ok": True, "seconds": round(time.perf_counter() - started, 3), "failed": failed})
    try:
        request, fds = receive_spawn(sock)
    except (EOFError, OSError, ValueError):
        return 0  # the pool was closed while we waited: nothing to run
    if len(fds) != 2:
        _send(sock, {"ok": False, "error": f"expected a listening socket and a log file, got {len(fds)} fds"})
        return 2
    listen_fd, log_fd = fds
    forkserver.import_modules(request.get("preload", []))
    _send(sock, {"ok": True, "pid": os.getpid()})
    threading.Thread(target=_watch_control, args=(sock,), name="stp-control", daemon=True).start()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    code = 1
    try:
        code = forkserver.run_app({**request, "listen_fd": listen_fd})
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
