"""What every sandbox backend shares: a warm pool of started sandboxes, and the spawn/stop protocol over it.

A sandbox (one bubblewrap tree or one container) starts with no app: its agent imports Streamlit and friends and
waits. ``spawn`` takes a warm one from the pool, copies the app's folder into the folder the sandbox sees read-only
at ``/app``, binds the app's port on the host's loopback and hands the listening socket and the log file over. The
pool then starts a replacement in the background, so a launch costs about what a fork does.

Example::

    backend = SandboxBackend(BwrapFactory(state_dir / "sandboxes", Limits()), pool_size=1)
    backend.start()
    child = backend.spawn(SpawnSpec(folder, "app.py", 8501, log_path))
    backend.terminate([child]); backend.close()
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import psutil

from st_patterns.instances.backends.agent_link import AgentError, AgentLink
from st_patterns.instances.backends.base import STOP_GRACE, SandboxInfo, SandboxName, SpawnSpec, stop_children
from st_patterns.instances.forkserver_client import Child, ExitCallback

log = logging.getLogger(__name__)

APP_DIR = "/app"
SANDBOX_TMP = "/tmp"
READY_TIMEOUT = 60.0
SKIPPED = frozenset({"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache"})
MAX_APP_FILES = 2000
MAX_APP_BYTES = 100 << 20


class Sandbox(Protocol):
    """One started sandbox whose agent waits for an app (see ``bwrap.BwrapSandbox``)."""

    name: str
    app_dir: Path
    link: AgentLink

    def wait_ready(self, timeout: float) -> None: ...

    def app_pid(self) -> int | None: ...

    def signal(self, sig: int) -> bool: ...

    def kill(self) -> None: ...

    def wait_exit(self) -> int | None: ...

    def cleanup(self) -> None: ...


class SandboxFactory(Protocol):
    name: SandboxName

    def info(self) -> SandboxInfo: ...

    def create(self) -> Sandbox: ...

    def close(self) -> None: ...


def copy_app(source: Path, target: Path) -> None:
    """Copy an app's folder into the sandbox's view, refusing folders far larger than an app (say, a home dir).

    Symlinks are copied as links, so nothing outside ``source`` is read; caches and VCS folders are skipped.
    """
    files: list[Path] = []
    size = 0
    for folder, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if d not in SKIPPED]
        for name in names:
            if name.endswith(".pyc"):
                continue
            path = Path(folder) / name
            files.append(path)
            size += path.lstat().st_size
            if len(files) > MAX_APP_FILES or size > MAX_APP_BYTES:
                raise OSError(
                    f"{source} holds more than {MAX_APP_FILES} files or {MAX_APP_BYTES >> 20} MiB: point at the "
                    "app's own project folder"
                )
    for path in files:
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        if path.is_symlink():
            dest.symlink_to(os.readlink(path))
        else:
            shutil.copy2(path, dest)
            dest.chmod(0o644)


def owned_root(root: Path) -> Path:
    """``root/<this pid>``, made private; folders of servers that are gone are removed on the way."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o711)
    for folder in root.iterdir():
        if folder.name.isdigit() and int(folder.name) != os.getpid() and not psutil.pid_exists(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(exist_ok=True)
    os.chmod(mine, 0o711)
    return mine


def signal_code(code: int | None) -> int | None:
    """Sandboxes report death by signal N as 128+N (shell style); instances report -N, as Popen does."""
    if code is not None and 128 < code < 128 + signal.NSIG:
        return -(code - 128)
    return code


class SandboxBackend:
    """The ``Backend`` for sandboxes; ``factory`` says which kind (bubblewrap, container)."""

    def __init__(self, factory: SandboxFactory, *, pool_size: int = 1) -> None:
        self.factory = factory
        self.pool_size = max(0, pool_size)
        self._lock = threading.Condition()
        self._idle: list[Sandbox] = []
        self._starting = 0
        self._live: dict[int, tuple[Child, Sandbox]] = {}
        self._closed = False
        self._refill: threading.Thread | None = None
        self.pool_problem: str | None = None

    @property
    def info(self) -> SandboxInfo:
        return self.factory.info()

    @property
    def forkserver_pid(self) -> int | None:
        return None

    def start(self) -> None:
        with self._lock:
            if self._refill is None and not self._closed:
                self._refill = threading.Thread(target=self._refill_loop, name="st-patterns-sandbox-pool", daemon=True)
                self._refill.start()

    def wait_warm(self, timeout: float) -> bool:
        """Block until the pool holds ``pool_size`` ready sandboxes (starting it if needed); False on timeout."""
        self.start()
        with self._lock:
            return self._lock.wait_for(lambda: self._closed or len(self._idle) >= self.pool_size, timeout)

    def _new_sandbox(self, timeout: float) -> Sandbox:
        sandbox = self.factory.create()
        try:
            sandbox.wait_ready(timeout)
        except BaseException:
            sandbox.kill()
            sandbox.cleanup()
            raise
        return sandbox

    def _refill_loop(self) -> None:
        failures = 0
        while True:
            with self._lock:
                while not self._closed and len(self._idle) + self._starting >= self.pool_size:
                    self._lock.wait()
                if self._closed:
                    return
                self._starting += 1
            try:
                sandbox = self._new_sandbox(READY_TIMEOUT)
            except (OSError, AgentError) as exc:
                failures += 1
                self.pool_problem = f"could not start a warm sandbox: {exc}"
                log.warning("%s (attempt %d)", self.pool_problem, failures)
                with self._lock:
                    self._starting -= 1
                    self._lock.wait(min(30.0, 0.5 * 2**failures))  # back off; close() wakes us at once
                continue
            failures, self.pool_problem = 0, None
            with self._lock:
                self._starting -= 1
                if self._closed:
                    stale = sandbox
                else:
                    self._idle.append(sandbox)
                    self._lock.notify_all()
                    continue
            stale.kill()
            stale.cleanup()

    def _take(self, timeout: float) -> Sandbox:
        self.start()
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox backend is closed")
            sandbox = self._idle.pop(0) if self._idle else None
            self._lock.notify_all()  # the pool refills what was taken
        return sandbox if sandbox is not None else self._new_sandbox(timeout)

    def spawn(self, spec: SpawnSpec, on_exit: ExitCallback | None = None, timeout: float | None = None) -> Child:
        """Run ``spec`` in a warm sandbox. Raises OSError when the port cannot be bound or no sandbox starts."""
        wait = READY_TIMEOUT if timeout is None else timeout
        family = socket.AF_INET6 if ":" in spec.host else socket.AF_INET
        listener = socket.create_server((spec.host, spec.port), family=family, backlog=128)
        log_fd = os.open(spec.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            try:
                sandbox = self._take(wait)
            except AgentError as exc:
                raise OSError(f"no {self.factory.name} sandbox could start: {exc}") from exc
            try:
                copy_app(Path(spec.folder), sandbox.app_dir)
                foreign_cwd = spec.cwd is not None and Path(spec.cwd) != Path(spec.folder)
                request = {
                    "folder": APP_DIR,
                    "entry": spec.entry,
                    "host": spec.host,
                    "port": spec.port,
                    "env": dict(spec.env),
                    "cwd": SANDBOX_TMP if foreign_cwd else APP_DIR,
                    "proxy_headers": spec.proxy_headers,
                    "preload": list(spec.preload),
                    "attr": spec.attr,
                }
                sandbox.link.spawn(request, [listener.fileno(), log_fd], wait)
                pid = sandbox.app_pid()
                if pid is None:
                    raise AgentError("the sandbox's app process is not visible from the host")
            except (OSError, AgentError) as exc:
                sandbox.kill()
                sandbox.cleanup()
                raise OSError(f"{self.factory.name} sandbox {sandbox.name}: {exc}") from exc
        finally:
            listener.close()
            os.close(log_fd)
        child = Child(pid, self.factory.name, on_exit)
        with self._lock:
            self._live[pid] = (child, sandbox)
        threading.Thread(
            target=self._watch, args=(child, sandbox), name=f"st-patterns-{sandbox.name}", daemon=True
        ).start()
        return child

    def _watch(self, child: Child, sandbox: Sandbox) -> None:
        code = signal_code(sandbox.wait_exit())
        with self._lock:
            self._live.pop(child.pid, None)
        with contextlib.suppress(Exception):
            sandbox.cleanup()
        child.finish(code)

    def _sandbox_of(self, child: Child) -> Sandbox | None:
        with self._lock:
            entry = self._live.get(child.pid)
        return entry[1] if entry is not None and entry[0] is child else None

    def terminate(self, children: Sequence[Child], grace: float = STOP_GRACE) -> None:
        """SIGTERM each app, wait up to ``grace`` s in total, then kill whole sandboxes; blocks until gone."""
        owned = {id(child): sb for child in children if (sb := self._sandbox_of(child)) is not None}
        mine = [child for child in children if id(child) in owned]
        stop_children(mine, lambda c: owned[id(c)].signal(signal.SIGTERM), lambda c: owned[id(c)].kill(), grace)

    def close(self) -> None:
        """Stop every app, then every warm sandbox; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
            children = [child for child, _ in self._live.values()]
            self._lock.notify_all()
        self.terminate(children)
        for sandbox in idle:
            sandbox.link.close()  # the waiting agent exits on EOF
            sandbox.kill()
            sandbox.cleanup()
        if self._refill is not None:
            self._refill.join(READY_TIMEOUT)
        self.factory.close()
