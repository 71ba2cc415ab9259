"""Validation runs started from the dashboard, in a background thread so the page stays live.

One run at a time per server process (shared by every browser session). The engine is
``st_patterns.services.validate_patterns(services, ids)``, which records each report into
``services.validations``; this module only starts it and remembers how the run went.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from st_patterns.errors import StPatternsError
from st_patterns.services import Services

log = logging.getLogger("st_patterns.dashboard")


@dataclass(frozen=True)
class RunState:
    """What the latest validation run started from the dashboard is doing."""

    ids: tuple[str, ...] = ()
    started: float | None = None  # time.time()
    finished: float | None = None
    error: str | None = None
    passed: bool | None = None

    @property
    def running(self) -> bool:
        return self.started is not None and self.finished is None


def validator_entry() -> Callable[..., Any] | None:
    """``validate_patterns(services, ids)`` from the services, or None when this server has no validator."""
    try:
        module = importlib.import_module("st_patterns.services")
    except ImportError:
        return None
    return getattr(module, "validate_patterns", None)


class ValidationRuns:
    """Starts validation runs in a daemon thread; ``state`` tells how the latest one is doing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = RunState()

    @property
    def state(self) -> RunState:
        with self._lock:
            return self._state

    def start(self, services: Services, ids: list[str]) -> str | None:
        """Start a run; returns why it could not start, or None when it started."""
        entry = validator_entry()
        if entry is None:
            return "Validation is not available on this server (st_patterns.services.validate_patterns is missing)."
        with self._lock:
            if self._state.running:
                return f"A validation run is already in progress ({len(self._state.ids)} patterns)."
            self._state = RunState(ids=tuple(ids), started=time.time())
        threading.Thread(target=self._run, args=(entry, services, ids), name="dashboard-validate", daemon=True).start()
        return None

    def _run(self, entry: Callable[..., Any], services: Services, ids: list[str]) -> None:
        error: str | None = None
        passed: bool | None = None
        try:
            summary = entry(services, ids)
            passed = bool(getattr(summary, "passed", False))
        except StPatternsError as exc:
            error = str(exc)
        except Exception as exc:  # a crash must still end the run, and say why, in the page
            log.exception("validation run from the dashboard crashed")
            error = f"The validation run crashed: {type(exc).__name__}: {exc}"
        with self._lock:
            self._state = replace(self._state, finished=time.time(), error=error, passed=passed)


RUNS = ValidationRuns()
