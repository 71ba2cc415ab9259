"""Start reference apps as OS processes and stop them: forked from a warm fork server, or cold with uvicorn.

Every app process runs in its own session (so a stop reaches its whole process group) and dies with its parent:
fork children with the fork server (``PR_SET_PDEATHSIG``), the fork server with this process (same, plus its control
pipe closing), cold children with this process. The kernel ties ``PR_SET_PDEATHSIG`` to the *thread* that started a
process, so every process is started from one long-lived spawner thread, never from a caller's (short-lived) thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any

import st_patterns
from st_patterns.instances.backends.base import KILL_WAIT, STOP_GRACE, SandboxInfo, SpawnSpec, stop_children
from st_patterns.instances.backends.spawner import Spawner
from st_patterns.instances.forkserver_client import Child, ExitCallback, ForkServerClient, ForkUnavailable, LaunchMode

__all__ = ["KILL_WAIT", "STOP_GRACE", "Child", "ExitCallback", "LaunchMode", "Launcher", "SpawnSpec"]

log = logging.getLogger(__name__)

READY_TIMEOUT = 30.0  # seconds a spawn waits for a starting fork server before going cold
MAX_FORKSERVER_STARTS = 3  # then stay cold for the rest of this launcher's life
GRACEFUL_SHUTDOWN = 3  # uvicorn --timeout-graceful-shutdown, same as the fork path
PRIVATE_ENV = frozenset({"ST_PATTERNS_TOKEN"})  # never handed to a reference app

# Set PDEATHSIG in a tiny wrapper, then exec the real command (no preexec_fn: unsafe with threads).
_PDEATHSIG_EXEC = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(70)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def dies_with_us(command: Sequence[str], python: str = sys.executable) -> list[str]:
    """``command`` wrapped so the kernel kills it (SIGKILL) when this process dies, however it dies: for cold
    children and for validation's sidecars. ``python`` runs the wrapper (it then becomes ``command``)."""
    return [python, "-c", _PDEATHSIG_EXEC, str(os.getpid()), *command]


class Launcher:
    """Starts and stops reference-app processes; prefers the warm fork server, falls back to cold uvicorn.

    Example::

        launcher = Launcher(preload=["fastmcp"], log_dir=state / "logs")
        launcher.start()                                  # fork server imports in the background
        child = launcher.spawn(SpawnSpec(folder, "app.py", 8501, state / "logs" / "a.log"))
        launcher.terminate([child])                       # SIGTERM the group, SIGKILL after STOP_GRACE
        launcher.close()
    """

    def __init__(
        self,
        *,
        use_fork: bool = True,
        preload: Iterable[str] = (),
        python: str = sys.executable,
        package_root: str | None = None,
        log_dir: Path | None = None,
        forkserver_cmd: Sequence[str] | None = None,
        cache_component_scan: bool = True,
        ready_timeout: float = READY_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        self.use_fork = use_fork
        self.fork_problem: str | None = None if use_fork else "fork server disabled"
        self._preload = sorted(set(preload))
        self._python = python
        # where the fork server's interpreter finds st_patterns.instances.forkserver; another environment (the
        # version matrix) gets a folder holding only that module, so its own Streamlit is the one imported
        self._package_root = package_root or str(Path(st_patterns.__file__).resolve().parent.parent)
        self._log_dir = log_dir
        self._forkserver_cmd = list(forkserver_cmd) if forkserver_cmd else None
        self._cache_scan = cache_component_scan
        self._ready_timeout = ready_timeout
        self._clock = clock
        self._popen = popen
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._fork: ForkServerClient | None = None
        self._fork_starts = 0
        self._unsafe_preloads: set[str] = set()  # imported them and a thread appeared: never preload again
        self._cold: dict[int, Child] = {}
        self._spawner: Spawner | None = None
        self._closed = False

    def start(self) -> None:
        """Start the spawner thread and (with ``use_fork``) the fork server; does not wait for its imports."""
        self._ensure_spawner()
        if self.use_fork:
            self._fork_client()

    @property
    def info(self) -> SandboxInfo:
        """The host backend contains nothing: apps run as this server's user, with its files and network."""
        how = "warm fork server" if self.use_fork and self.fork_problem is None else "cold uvicorn"
        return SandboxInfo(name="none", contained=False, limits=None, detail=f"host ({how}): no sandbox, no limits")

    @property
    def forkserver_pid(self) -> int | None:
        client = self._fork
        return client.proc.pid if client is not None and client.broken is None else None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        """Block until the fork server has finished its imports; False when it is absent or broken."""
        client = self._fork_client() if self.use_fork else None
        return client is not None and client.ready.wait(timeout) and client.broken is None

    def spawn(self, spec: SpawnSpec, on_exit: ExitCallback | None = None, timeout: float | None = None) -> Child:
        """Start one app process and return at once (health is the caller's business).

        Raises OSError when even the cold path cannot start a process.
        """
        if self._closed:
            raise RuntimeError("the launcher is closed")
        self.start()
        client = self._fork_client() if self.use_fork else None
        if client is not None:
            request = {
                "folder": str(spec.folder),
                "entry": spec.entry,
                "host": spec.host,
                "port": spec.port,
                "env": dict(spec.env),
                "log": str(spec.log_path),
                "cwd": str(spec.cwd or spec.folder),
                "proxy_headers": spec.proxy_headers,
                "preload": [name for name in spec.preload if name not in self._unsafe_preloads],
                "attr": spec.attr,
            }
            try:
                return client.spawn(request, on_exit, self._ready_timeout if timeout is None else timeout)
            except ForkUnavailable as exc:
                self.fork_problem = str(exc)
                log.warning("fork server unavailable (%s); starting %s cold", exc, spec.folder.name)
        return self._spawn_cold(spec, on_exit)

    def signal(self, child: Child, sig: int) -> bool:
        """Send ``sig`` to the child's process group; False when it is already gone."""
        if child.returncode is not None:
            return False
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            try:
                os.kill(child.pid, sig)
            except (ProcessLookupError, PermissionError):
                return False
        except PermissionError:
            return False
        return True

    def terminate(self, children: Sequence[Child], grace: float = STOP_GRACE) -> None:
        """SIGTERM every group, wait up to ``grace`` s in total, SIGKILL the rest; blocks until reported gone."""
        term, kill = partial(self.signal, sig=signal.SIGTERM), partial(self.signal, sig=signal.SIGKILL)
        stop_children(children, term, kill, grace, self._clock)

    def close(self) -> None:
        """Stop every child this launcher started, then the fork server and the spawner; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            client, self._fork = self._fork, None
            children = list(self._cold.values()) + (list(client.children.values()) if client else [])
        self.terminate(children)
        if client is not None:
            client.close()
        if self._spawner is not None:
            self._spawner.stop()

    def _fork_client(self) -> ForkServerClient | None:
        with self._start_lock:  # one thread at a time may replace the fork server
            return self._replace_fork_client_if_needed()

    def _replace_fork_client_if_needed(self) -> ForkServerClient | None:
        with self._lock:
            client = self._fork
            if self._closed or (client is not None and client.broken is None and client.tainted_by is None):
                return client
            if client is not None and client.tainted_by is not None and client.children:
                return None  # keep it for its live children; spawn cold meanwhile
            if self._fork_starts >= MAX_FORKSERVER_STARTS:
                return None
            self._fork_starts += 1
            stale, self._fork = client, None
        if stale is not None:
            if stale.tainted_by:
                self._unsafe_preloads.add(stale.tainted_by)
                self._preload = [name for name in self._preload if name != stale.tainted_by]
            stale.close()
        try:
            proc = self._call(self._start_forkserver)
        except OSError as exc:
            self.fork_problem = f"cannot start the fork server: {exc}"
            return None
        with self._lock:
            self._fork = ForkServerClient(proc)
            return self._fork

    def _start_forkserver(self) -> subprocess.Popen[bytes]:
        cmd = self._forkserver_cmd or [
            self._python,
            "-P",  # no cwd on sys.path: only the app folder the child inserts
            "-m",
            "st_patterns.instances.forkserver",
            "--parent-pid",
            str(os.getpid()),
            "--preload",
            ",".join(self._preload),
            *([] if self._cache_scan else ["--no-scan-cache"]),
        ]
        path = os.environ.get("PYTHONPATH", "") if self._python == sys.executable else ""
        env = {**_child_environ(), "PYTHONPATH": os.pathsep.join(p for p in (self._package_root, path) if p)}
        with self._stderr_sink("forkserver.log") as stderr:
            return self._popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, start_new_session=True
            )

    def _spawn_cold(self, spec: SpawnSpec, on_exit: ExitCallback | None) -> Child:
        entry = Path(spec.entry)
        cmd = dies_with_us([self._python, "-m", "uvicorn", f"{entry.stem}:{spec.attr}"], python=self._python)
        cmd += ["--app-dir", str(spec.folder / entry.parent), "--host", spec.host, "--port", str(spec.port)]
        cmd += ["--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN)]
        if not spec.proxy_headers:
            cmd.append("--no-proxy-headers")
        env = {**_child_environ(), **spec.env, "PYTHONUNBUFFERED": "1"}

        def start() -> subprocess.Popen[bytes]:
            with spec.log_path.open("ab") as out:
                return self._popen(
                    cmd,
                    cwd=spec.cwd or spec.folder,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )

        proc = self._call(start)
        child = Child(proc.pid, "cold", on_exit)
        with self._lock:
            self._cold[proc.pid] = child

        def watch() -> None:
            code = proc.wait()
            with self._lock:
                self._cold.pop(proc.pid, None)
            child.finish(code)

        threading.Thread(target=watch, name=f"st-patterns-watch-{proc.pid}", daemon=True).start()
        return child

    def _ensure_spawner(self) -> Spawner:
        with self._lock:
            if self._spawner is None:
                self._spawner = Spawner()
            return self._spawner

    def _call(self, fn: Callable[[], Any]) -> Any:
        return self._ensure_spawner().call(fn)

    @contextlib.contextmanager
    def _stderr_sink(self, name: str) -> Any:
        if self._log_dir is None:
            yield subprocess.DEVNULL
            return
        self._log_dir.mkdir(parents=True, exist_ok=True)
        handle: IO[bytes]
        with (self._log_dir / name).open("ab") as handle:
            yield handle


def _child_environ() -> dict[str, str]:
    """This process's environment minus the server's own secrets: reference apps have no use for them."""
    return {key: value for key, value in os.environ.items() if key not in PRIVATE_ENV}
