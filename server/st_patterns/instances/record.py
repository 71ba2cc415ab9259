"""One instance's mutable state and the steps of its life the registry drives: start, wait for health, end.

The :class:`~st_patterns.instances.registry.Registry` owns the records and holds its lock around every mutation;
nothing here locks or knows about other instances.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypedDict

import httpx
import psutil

from st_patterns.errors import InvalidInput
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.launcher import Child, SpawnSpec
from st_patterns.instances.models import ACTIVE_STATUSES, Instance, InstanceLogs, InstanceStatus
from st_patterns.instances.source import AppSource

Progress = Callable[[float, float, str], None]

MAX_LOG_BYTES = 4 * 1024 * 1024  # a log file is emptied once it grows past this (its last lines stay in memory)
MAX_LINE_BYTES = 16 * 1024  # a longer "line" is cut into pieces
HEALTH_POLL = 0.025  # seconds between health polls while launching
PROGRESS_EVERY = 0.5  # seconds between progress callbacks
MAX_TIMEOUT = 600.0


class LogTail:
    """Follows one log file the app writes to: keeps its last lines in a ring, keeps the file small.

    Example::

        tail = LogTail(state / "logs" / "x.log", max_lines=2000)
        tail.pump()            # read what was appended since the last pump; True if new lines came
        tail.tail(20), tail.total
    """

    def __init__(self, path: Path, max_lines: int) -> None:
        self.path = path
        self.total = 0
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._offset = 0
        self._partial = b""
        self._lock = threading.Lock()

    def pump(self) -> bool:
        with self._lock:
            try:
                with self.path.open("rb") as handle:
                    if os.fstat(handle.fileno()).st_size < self._offset:  # emptied behind our back
                        self._offset, self._partial = 0, b""
                    handle.seek(self._offset)
                    data = handle.read()
            except FileNotFoundError:
                return False
            if not data:
                return False
            self._offset += len(data)
            pieces = (self._partial + data).split(b"\n")
            self._partial = pieces.pop()
            if len(self._partial) > MAX_LINE_BYTES:
                pieces.append(self._partial)
                self._partial = b""
            self._lines.extend(raw.decode("utf-8", "replace").rstrip("\r") for raw in pieces)
            self.total += len(pieces)
            if self._offset > MAX_LOG_BYTES:  # the writer appends (O_APPEND), so it carries on at the new end
                with contextlib.suppress(OSError):
                    os.truncate(self.path, 0)
                self._offset = 0
            return bool(pieces)

    def tail(self, count: int) -> list[str]:
        with self._lock:
            return list(self._lines)[-count:] if count > 0 else []

    def page(self, instance_id: str, limit: int, offset: int | None = None) -> InstanceLogs:
        """Up to ``limit`` lines: the last ones, or from line ``offset`` (counted from 0 since launch) on, like a
        file read; later than ``offset`` when older lines have rotated out of the ring."""
        self.pump()
        with self._lock:
            total, kept = self.total, list(self._lines)
        first_kept = total - len(kept)
        wanted = max(0, total - limit) if offset is None else offset
        start = min(max(wanted, first_kept), total)
        lines = kept[start - first_kept : start - first_kept + limit]
        end = start + len(lines)
        return InstanceLogs(
            instance_id=instance_id, lines=lines, offset=start, next_offset=end, total_lines=total,
            first_kept=first_kept, truncated=start > wanted or (offset is None and start > 0), more=end < total,
        )  # fmt: skip

    def note(self, text: str) -> None:
        """Append a line of our own (e.g. a restart marker) to the file."""
        with contextlib.suppress(OSError), self.path.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    def delete(self) -> None:
        with self._lock, contextlib.suppress(OSError):
            self.path.unlink()


@dataclass
class InstanceRecord:
    """One instance's state; the registry mutates it under its lock only. ``generation`` counts (re)starts."""

    id: str
    source: AppSource
    port: int
    log: LogTail
    started_at: datetime
    started_mono: float
    status: InstanceStatus = "starting"
    generation: int = 0
    child: Child | None = None
    create_time: float | None = None
    exit_code: int | None = None
    launch_mode: str = "fork"
    backend: Backend | None = field(default=None, repr=False)
    launch_seconds: float | None = None
    ended_mono: float | None = None
    proc: psutil.Process | None = field(default=None, repr=False)
    log_final: bool = False

    @property
    def pid(self) -> int | None:
        return self.child.pid if self.child is not None else None

    @property
    def ended_key(self) -> float:
        return self.ended_mono if self.ended_mono is not None else self.started_mono

    def reset(self, port: int, started_at: datetime, started_mono: float) -> None:
        """Back to "starting" for a restart; a new generation so exit reports of the old process are ignored."""
        self.port, self.generation = port, self.generation + 1
        self.status, self.child, self.create_time, self.proc = "starting", None, None, None
        self.exit_code = self.launch_seconds = self.ended_mono = None
        self.started_at, self.started_mono, self.log_final = started_at, started_mono, False

    def end(self, status: InstanceStatus, now: float) -> None:
        self.status = status
        if self.child is not None and self.child.returncode is not None:
            self.exit_code = self.child.returncode
        self.ended_mono = self.ended_mono or now
        self.proc = None

    def spawn_spec(self, host: str) -> SpawnSpec:
        return self.source.spawn_spec(self.port, self.log.path, host=host)

    def snapshot(self, url_host: str) -> Instance:
        origin = f"http://{url_host}:{self.port}"
        base = origin + self.source.base_path
        return Instance(
            id=self.id,
            pattern_id=self.source.name,
            kind=self.source.kind,
            app_path=str(self.source.folder / self.source.entry) if self.source.kind == "app" else None,
            url=base,
            port=self.port,
            pid=self.pid,
            status=self.status,
            started_at=self.started_at,
            health_url=origin + self.source.health,
            urls={path: origin + path for path in self.source.paths},
            exit_code=self.exit_code,
            launch_mode=self.launch_mode if self.launch_mode in ("cold", "bwrap", "docker") else "fork",
            sandbox=self.backend.info.name if self.backend is not None else "none",
            limits=self.backend.info.limits if self.backend is not None else None,
            launch_seconds=self.launch_seconds,
            notes=list(self.source.notes),
        )


class Reporter:
    """Calls ``progress`` at most every PROGRESS_EVERY seconds (always for the first and the final message)."""

    def __init__(self, progress: Progress | None, total: float, clock: Callable[[], float]) -> None:
        self._progress, self._total, self._clock = progress, total, clock
        self._last: float | None = None

    def __call__(self, done: float, message: str) -> None:
        now = self._clock()
        final = done >= self._total
        if self._progress is None or (not final and self._last is not None and now - self._last < PROGRESS_EVERY):
            return
        self._last = now
        self._progress(min(done, self._total), self._total, message)


def wait_healthy(
    child: Child,
    url: str,
    timeout: float,
    clock: Callable[[], float],
    report: Reporter,
    *,
    started: float,
    wanted: Callable[[], bool] = lambda: True,
    up: tuple[int, ...] = (200,),
) -> str | None:
    """Poll ``url`` from ``started`` (a ``clock`` reading); None once it answers one of ``up``, else why it never will.

    ``wanted`` turning False (the instance was stopped meanwhile) ends the wait.
    """
    last = "no answer yet"
    with httpx.Client(trust_env=False) as client:
        while True:
            if not child.alive:
                return f"the process exited with code {child.returncode} before {url} answered"
            if not wanted():
                return "the instance was stopped while it was starting"
            elapsed = clock() - started
            if elapsed >= timeout:
                wanted_text = " or ".join(map(str, up))
                return f"{url} did not answer {wanted_text} within {timeout:g} s (last: {last})"
            try:
                answer = client.get(url, timeout=max(0.1, min(2.0, timeout - elapsed)))
                if answer.status_code in up:
                    return None
                last = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            report(elapsed, f"waiting for {url} ({last})")
            child.wait(HEALTH_POLL)


MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")


def missing_module_hint(log_tail: str) -> str:
    """When an app died importing something the runtime lacks, say which module and how to provide it."""
    found = MISSING_MODULE.findall(log_tail)
    if not found:
        return ""
    top = found[-1].split(".")[0]
    return (
        f". The app imports {top!r}, which the runtime it runs in does not have: install it beside st-patterns "
        f"(`pip install {top}` in the server's environment; for the docker sandbox, then run "
        "`st-patterns sandbox-image`), or remove the import"
    )


class Measurements(TypedDict):
    cpu_percent: float | None
    rss_mb: float | None
    healthy: bool | None


@functools.cache
def _health_client() -> httpx.Client:
    """One pooled client for health checks: a new one per call costs ~17 ms of CPU (TLS context), 30x the check."""
    return httpx.Client(trust_env=False)


def measure(instance: Instance, proc: psutil.Process | None) -> Measurements:
    """CPU percent and RSS (MiB) of an active instance, and whether its health URL answers 200 right now."""
    found = Measurements(cpu_percent=None, rss_mb=None, healthy=None)
    if proc is not None and instance.status in ACTIVE_STATUSES:
        with contextlib.suppress(psutil.Error):
            found["cpu_percent"] = proc.cpu_percent(None)
            found["rss_mb"] = round(proc.memory_info().rss / 2**20, 1)
    if instance.status == "running":
        try:
            found["healthy"] = _health_client().get(instance.health_url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            found["healthy"] = False
    return found


def check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
        raise InvalidInput(f"timeout must be a number of seconds in (0, {MAX_TIMEOUT:g}], not {timeout!r}.")
    return float(timeout)
