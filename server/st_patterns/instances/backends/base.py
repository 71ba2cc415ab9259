"""The one interface the registry and validation use to run an app process, whatever contains it.

``Launcher`` (the host) is one implementation; the sandboxes (``BwrapBackend``, ``DockerBackend``) are the others.
Every implementation spawns ``SpawnSpec`` on a loopback port, captures the app's output in ``spec.log_path``, reports
the exit code through the ``Child`` handle, and stops what it started (``terminate``, ``close``).

Example::

    backend = choose_backend("auto", Limits())
    child = backend.spawn(SpawnSpec(folder, "app.py", 8501, log_path))
    backend.terminate([child])
    backend.close()
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from st_patterns.instances.forkserver_client import Child, ExitCallback
from st_patterns.models import Limits, SandboxInfo, SandboxMode, SandboxName

__all__ = ["KILL_WAIT", "STOP_GRACE", "Backend", "Limits", "SandboxInfo", "SandboxMode", "SandboxName", "SpawnSpec"]

STOP_GRACE = 5.0  # seconds between SIGTERM and SIGKILL
KILL_WAIT = 2.0  # seconds to wait for the exit report after SIGKILL


@dataclass(frozen=True)
class SpawnSpec:
    """What to start: ``entry`` (exposing ``app``) under ``folder``, served by uvicorn on ``host:port``."""

    folder: Path
    entry: str
    port: int
    log_path: Path
    host: str = "127.0.0.1"
    env: Mapping[str, str] = field(default_factory=dict)
    proxy_headers: bool = True
    cwd: Path | None = None
    preload: tuple[str, ...] = ()
    attr: str = "app"  # the ASGI callable's name in ``entry``


def stop_children(
    children: Sequence[Child],
    term: Callable[[Child], object],
    kill: Callable[[Child], object],
    grace: float = STOP_GRACE,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """``term`` each live child, wait up to ``grace`` s in total, ``kill`` the rest; blocks until reported gone."""
    live = [child for child in children if child.alive]
    for child in live:
        term(child)
    deadline = clock() + grace
    for child in live:
        child.wait(max(0.0, deadline - clock()))
    stubborn = [child for child in live if child.alive]
    for child in stubborn:
        kill(child)
    for child in stubborn:
        child.wait(KILL_WAIT)


class Backend(Protocol):
    """Runs app processes; see the module docstring."""

    @property
    def info(self) -> SandboxInfo: ...

    @property
    def forkserver_pid(self) -> int | None: ...

    def start(self) -> None: ...

    def spawn(self, spec: SpawnSpec, on_exit: ExitCallback | None = None, timeout: float | None = None) -> Child: ...

    def terminate(self, children: Sequence[Child], grace: float = STOP_GRACE) -> None: ...

    def close(self) -> None: ...
