"""A pre-imported launcher process that forks reference apps in ~0.2 s instead of ~1-3 s cold.

Run as ``python -P -m st_patterns.instances.forkserver --parent-pid PID`` by
:class:`st_patterns.instances.launcher.Launcher`, never by hand. It imports Streamlit, Starlette, FastAPI, uvicorn
and the modules they load at server start while no thread or event loop exists, then serves JSON lines:
requests on stdin, replies and events on stdout.

Requests carry an ``id`` echoed by the reply (``{"id": 1, "ok": true, "pid": 123}`` or ``"ok": false`` with
``error``)::

    {"op": "spawn", "id": 1, "folder": "/p/mount_fastapi", "entry": "app.py", "host": "127.0.0.1", "port": 8501,
     "env": {}, "log": "/state/logs/x.log", "cwd": "/p/mount_fastapi", "proxy_headers": true, "preload": []}
    {"op": "ping", "id": 2}

A spawn's ``preload`` modules are imported (once) before the fork, so later spawns of that pattern get them for
free. Events: ``{"event": "ready", "pid": ..., "seconds": ..., "failed": {...}}`` once, then
``{"event": "exit", "pid": ..., "code": ...}`` per child (negative code = killed by that signal).

Lifetime: the server dies with its parent thread (PR_SET_PDEATHSIG); each child dies with the server. When stdin
closes (the parent exited, even by SIGKILL) or on SIGTERM, every child's process group is terminated, then killed.
This module imports only the standard library at top level: the heavy imports happen in :func:`main`.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import select
import signal
import sys
import time
import traceback
from typing import Any

# Imported before any fork. Measured: what `uvicorn.run(st.App(...))` and a first script run load beyond the
# top-level packages; missing optional ones (uvloop, httptools, watchdog) are skipped.
ESSENTIAL_MODULES = ("streamlit", "streamlit.starlette", "starlette", "fastapi", "uvicorn")
SERVER_START_MODULES = tuple(
    """
    uvicorn.config uvicorn.server uvicorn.lifespan.on uvicorn.loops.auto uvicorn.loops.asyncio uvicorn.loops.uvloop
    uvicorn.protocols.http.auto uvicorn.protocols.http.h11_impl uvicorn.protocols.http.httptools_impl
    uvicorn.protocols.websockets.auto uvicorn.protocols.websockets.websockets_sansio_impl uvloop httptools
    websockets.server anyio._backends._asyncio anyio.streams.memory anyio.streams.stapled anyio.streams.tls
    itsdangerous starlette.middleware.sessions starlette.staticfiles fastapi.routing pydantic.v1 packaging.tags
    encodings.idna streamlit.web.bootstrap streamlit.web.skills streamlit.web.server.starlette.starlette_agent_routes
    streamlit.runtime.agent.mcp streamlit.components.v2.manifest_scanner streamlit.runtime.scriptrunner.magic_funcs
    streamlit.watcher.event_based_path_watcher watchdog.observers
    """.split()
)
# A package named in a pattern's `preload` often imports its heavy parts only when the app builds its objects
# (measured: `FastMCP(...).http_app()` ~0.75 s, Django's ASGI handler ~0.15 s), so those come along with it.
PRELOAD_EXTRAS = {
    "fastmcp": ("fastmcp.server.server", "fastmcp.server.http", "mcp.server.streamable_http_manager", "griffe"),
    "django": ("django.core.asgi", "django.template.defaulttags", "django.template.loader_tags", "django.forms"),
}
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
CHILD_STOP_GRACE = 2.0  # seconds children get after SIGTERM when the server shuts down
GRACEFUL_SHUTDOWN = 3  # uvicorn's timeout_graceful_shutdown: open websockets must not stall a stop

_libc: ctypes.CDLL | None = None


def _prctl(option: int, arg: int | ctypes.c_char_p) -> None:
    """prctl(2) through libc, resolved once in the fork server so a child never runs the dynamic loader."""
    global _libc
    with contextlib.suppress(OSError, AttributeError):
        _libc = _libc or ctypes.CDLL(None, use_errno=True)
        _libc.prctl(option, arg, 0, 0, 0)


def set_pdeathsig(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` when the thread that forked us exits (Linux only; a no-op elsewhere)."""
    _prctl(PR_SET_PDEATHSIG, int(sig))


def set_thread_name(name: str) -> None:
    """What ``ps -o comm``/``top`` show (15 bytes): a forked child keeps the fork server's command line."""
    _prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]))


def wait_single_threaded(timeout: float = 1.0) -> bool:
    """True once this process has one thread; a joined Python thread can still be exiting in libc for a moment."""
    deadline = time.monotonic() + timeout
    while thread_count() > 1:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def thread_count() -> int:
    """Native threads of this process: forking is only safe while this is 1."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def import_modules(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Import each module once; return ``{name: error}`` for the ones that failed."""
    failed: dict[str, str] = {}
    for name in names:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # an optional module may be absent or broken: skip it, report it
            failed[name] = f"{type(exc).__name__}: {exc}"
    return failed


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:  # not a group leader yet (child still before setsid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    except PermissionError:
        pass


class ForkServer:
    """The request loop: one thread, ``select`` over the control pipe and a SIGCHLD wake-up pipe.

    Example (what ``main`` does)::

        server = ForkServer(control_in=os.dup(0), control_out=os.dup(1))
        raise SystemExit(server.serve())
    """

    def __init__(self, control_in: int, control_out: int) -> None:
        self.control_in = control_in
        self.control_out = control_out
        self.pid = os.getpid()
        self.children: set[int] = set()
        self.tainted_by: str | None = None
        self.deferred: list[str] = []  # preloads still to import when idle
        self._stopping = False
        self._buffer = b""
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    def emit(self, message: dict[str, Any]) -> bool:
        data = (json.dumps(message) + "\n").encode()
        try:
            while data:
                data = data[os.write(self.control_out, data) :]
        except OSError:  # parent gone: shut down
            self._stopping = True
            return False
        return True

    def serve(self) -> int:
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_stop_signal)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal Ctrl-C is for the parent to handle
        try:
            while not self._stopping:
                try:
                    idle = 0.0 if self.deferred else 1.0  # deferred preloads run only when nothing is waiting
                    ready, _, _ = select.select([self.control_in, self._wake_r], [], [], idle)
                except InterruptedError:
                    ready = []
                if not ready and self.deferred:
                    self._preload([self.deferred.pop(0)])
                if self._wake_r in ready:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(self._wake_r, 4096):
                            pass
                self._reap()
                if self.control_in in ready:
                    self._read_control()
        finally:
            self._stop_children()
        return 0

    def _on_stop_signal(self, *_: object) -> None:
        self._stopping = True

    def _read_control(self) -> None:
        try:
            data = os.read(self.control_in, 65536)
        except OSError:
            data = b""
        if not data:  # the parent closed the pipe or died
            self._stopping = True
            return
        self._buffer += data
        while b"\n" in self._buffer and not self._stopping:
            line, self._buffer = self._buffer.split(b"\n", 1)
            if line.strip():
                self._handle(line)

    def _handle(self, line: bytes) -> None:
        try:
            request = json.loads(line)
            op, req_id = request["op"], request.get("id")
        except (ValueError, KeyError, TypeError) as exc:
            self.emit({"id": None, "ok": False, "error": f"bad request: {exc}"})
            return
        if op == "ping":
            self.emit({"id": req_id, "ok": True, "pid": self.pid, "children": sorted(self.children)})
        elif op == "spawn":
            self._spawn(req_id, request)
        else:
            self.emit({"id": req_id, "ok": False, "error": f"unknown op {op!r}"})

    def _preload(self, modules: list[str]) -> dict[str, str]:
        failed: dict[str, str] = {}
        for name in [n for module in modules for n in (module, *PRELOAD_EXTRAS.get(module, ()))]:
            if self.tainted_by is not None:
                break
            failed.update(import_modules([name]))
            if not wait_single_threaded(0.2):
                self.tainted_by = name
        gc.freeze()
        return failed

    def _taint_text(self) -> str | None:
        if self.tainted_by is None:
            return None
        return f"importing {self.tainted_by!r} started threads; forking is no longer safe"

    def _spawn(self, req_id: Any, request: dict[str, Any]) -> None:
        self._preload(list(request.get("preload", [])))
        if self.tainted_by is None and not wait_single_threaded():
            self.tainted_by = "a module that left a thread running"
        if self.tainted_by is not None:
            self.emit({"id": req_id, "ok": False, "error": self._taint_text(), "tainted_by": self.tainted_by})
            return
        try:
            log_fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        except (OSError, KeyError) as exc:
            self.emit({"id": req_id, "ok": False, "error": f"cannot open log file: {exc}"})
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._child(request, log_fd)  # never returns
        os.close(log_fd)
        self.children.add(pid)
        self.emit({"id": req_id, "ok": True, "pid": pid})

    def _child(self, request: dict[str, Any], log_fd: int) -> None:
        code = 1
        try:
            os.setsid()
            set_pdeathsig()
            if os.getppid() != self.pid:  # the server died between fork and prctl
                os._exit(1)
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            for fd in (self.control_in, self.control_out, self._wake_r, self._wake_w):
                os.close(fd)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            os.close(null)
            os.close(log_fd)
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
            code = run_app(request)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.emit({"event": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})

    def _stop_children(self) -> None:
        for pid in list(self.children):
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_GRACE
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.02)
        for pid in list(self.children):
            _signal_group(pid, signal.SIGKILL)
        while self.children:
            self._reap()
            time.sleep(0.01)


def cache_component_scan() -> str | None:
    """Scan installed packages for Streamlit components once here, not in every child (~0.2 s each).

    Streamlit's Runtime calls ``manifest_scanner.scan_component_manifests()`` at start-up; its result depends only
    on the installed packages. This touches a private module, so on any surprise Streamlit is left untouched.
    Returns why it was not cached, or None.
    """
    try:
        from streamlit.components.v2 import manifest_scanner

        scan = manifest_scanner.scan_component_manifests
        found = scan()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"

    def cached_scan(max_workers: int | None = None) -> list[Any]:
        return list(found)

    cached_scan.__wrapped__ = scan  # type: ignore[attr-defined]
    manifest_scanner.scan_component_manifests = cached_scan
    return None


def run_app(request: dict[str, Any]) -> int:
    """In the child: apply env and cwd, import the entry module by path, serve its ``app`` with uvicorn.

    With ``listen_fd`` (a sandbox: the server bound the port and passed the socket in) uvicorn serves that socket;
    otherwise it binds ``host:port`` itself.
    """
    folder = request["folder"]
    entry = request.get("entry", "app.py")
    os.environ.update({str(k): str(v) for k, v in request.get("env", {}).items()})
    os.chdir(request.get("cwd") or folder)
    set_thread_name(f"stp:{os.path.basename(folder.rstrip(os.sep))}")
    entry_path = os.path.join(folder, entry)
    module_dir = os.path.dirname(entry_path)
    sys.path.insert(0, module_dir)
    module_name = os.path.splitext(os.path.basename(entry))[0]
    sys.argv = ["uvicorn", f"{module_name}:{request.get('attr') or 'app'}"]
    spec = importlib.util.spec_from_file_location(module_name, entry_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {entry_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    import uvicorn

    attr = request.get("attr") or "app"
    app = getattr(module, attr, None)
    if app is None:
        raise AttributeError(f"{entry_path} defines no {attr!r}: name the ASGI app with --entry module:attr")
    config = uvicorn.Config(
        app,
        host=request.get("host", "127.0.0.1"),
        port=int(request["port"]),
        proxy_headers=bool(request.get("proxy_headers", True)),
        log_config=None,  # with streamlit imported first, uvicorn's own config would hide its INFO lines
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    server = uvicorn.Server(config)
    listen_fd = request.get("listen_fd")
    if listen_fd is None:
        server.run()
    else:
        import socket

        server.run(sockets=[socket.socket(fileno=int(listen_fd))])
    if not server.started:  # e.g. the app's lifespan failed: uvicorn logged why, and must not exit 0
        return 3
    return 0


def skip_direct_run_warning() -> None:
    """Mark Streamlit's once-per-process "run it with `streamlit run`" check as done, before any fork.

    The check is for a script run with bare ``python``; every child here serves through a runtime. Left to run,
    the first ``st.*`` call of each child does ``inspect.stack()`` over the fork server's deep stack, reading the
    source of every frame (measured: ~0.1 s of CPU per child, a quarter of a validation run). Private API: where
    it differs, nothing happens.
    """
    with contextlib.suppress(Exception):
        from streamlit import delta_generator

        if hasattr(delta_generator, "_use_warning_has_been_displayed"):
            delta_generator._use_warning_has_been_displayed = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m st_patterns.instances.forkserver")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit at once unless this is our parent")
    parser.add_argument("--preload", default="", help="comma-separated extra modules to import up front")
    parser.add_argument("--no-scan-cache", action="store_true", help="let every child scan for components itself")
    args = parser.parse_args(argv)
    set_pdeathsig()
    if args.parent_pid and os.getppid() != args.parent_pid:
        return 1
    set_thread_name("stp-forkserver")
    control_in, control_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # stray prints from imported modules must not corrupt the protocol
    os.close(null)
    started = time.perf_counter()
    failed = import_modules(ESSENTIAL_MODULES)
    server = ForkServer(control_in, control_out)
    if failed:
        server.emit({"event": "ready", "pid": server.pid, "ok": False, "failed": failed})
        return 2
    failed.update(import_modules(SERVER_START_MODULES))
    if not args.no_scan_cache and (problem := cache_component_scan()):
        failed["component scan cache"] = problem
    skip_direct_run_warning()
    if not wait_single_threaded():  # the scan's worker threads must be fully gone, not just joined
        server.tainted_by = "the server start-up modules"
    # The --preload extras are imported after "ready", while no spawn is waiting: the first apps fork without
    # waiting for packages they do not use; an app that needs one names it in its spawn request anyway.
    server.deferred = [name.strip() for name in args.preload.split(",") if name.strip()]
    gc.freeze()  # keep the imported objects out of the children's GC passes: fewer copy-on-write pages
    taint = {"tainted_by": server.tainted_by}
    seconds = round(time.perf_counter() - started, 3)
    server.emit({"event": "ready", "pid": server.pid, "ok": True, "seconds": seconds, "failed": failed} | taint)
    return server.serve()


if __name__ == "__main__":
    raise SystemExit(main())
