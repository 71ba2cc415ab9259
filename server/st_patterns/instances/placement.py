"""Where each instance runs: catalog patterns on the host launcher (or the sandbox when asked), an agent's own app
in the sandbox (or on the host only with ``--allow-user-code``); and stopping each through what started it.

Example::

    placement = Placement(launcher, sandbox=bwrap_backend)
    backend = placement.backend_for(source)          # UserCodeRefused for an app when nothing may run it
    placement.terminate([(backend, child)])
"""

from __future__ import annotations

from collections.abc import Sequence

from st_patterns.errors import UserCodeRefused
from st_patterns.instances.backends.base import STOP_GRACE, Backend
from st_patterns.instances.forkserver_client import Child
from st_patterns.instances.launcher import Launcher
from st_patterns.instances.source import AppSource


class Placement:
    def __init__(
        self,
        launcher: Launcher,
        sandbox: Backend | None = None,
        *,
        sandbox_patterns: bool = False,
        allow_user_code: bool = False,
        no_sandbox_reason: str = "no sandbox is configured",
    ) -> None:
        self.launcher = launcher
        self.sandbox = sandbox
        self.pattern_backend: Backend = sandbox if sandbox is not None and sandbox_patterns else launcher
        self.allow_user_code = allow_user_code
        self.no_sandbox_reason = no_sandbox_reason

    def start(self) -> None:
        self.launcher.start()
        if self.sandbox is not None and self.pattern_backend is self.sandbox:
            self.sandbox.start()  # warm now: every launch uses it (otherwise the pool warms at first use)

    def close(self) -> None:
        self.launcher.close()
        if self.sandbox is not None:
            self.sandbox.close()

    def backend_for(self, source: AppSource) -> Backend:
        if source.kind == "pattern":
            return self.pattern_backend
        if self.sandbox is not None:
            return self.sandbox
        if self.allow_user_code:
            return self.launcher
        raise UserCodeRefused(
            f"Running your app needs a sandbox, and {self.no_sandbox_reason}. Install bubblewrap (apt-get install "
            "bubblewrap) or start Docker and restart with `st-patterns serve --sandbox auto`, or pass "
            "--allow-user-code to run it unsandboxed on the host."
        )

    def terminate(self, started: Sequence[tuple[Backend | None, Child]], grace: float = STOP_GRACE) -> None:
        """Stop each child through the backend that started it (None: the host launcher), backends in turn."""
        by_backend: dict[int, tuple[Backend, list[Child]]] = {}
        for backend, child in started:
            chosen = backend or self.launcher
            by_backend.setdefault(id(chosen), (chosen, []))[1].append(child)
        for backend, children in by_backend.values():
            backend.terminate(children, grace)
