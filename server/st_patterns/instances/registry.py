"""The single source of truth for launched reference apps: what runs where, since when, and what it printed.

Every face (MCP tools, CLI, dashboard thread) calls one :class:`Registry`. The public API is synchronous, blocking
and thread-safe: state changes happen under one lock, never while waiting on a process or the network. Rows in
SQLite (``state_dir/registry.sqlite3``) let the next server reap what a killed one left behind.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import psutil

from st_patterns.catalog import guards
from st_patterns.catalog.loader import Catalog
from st_patterns.errors import (
    CapacityReached,
    InstanceNotFound,
    InvalidInput,
    LaunchFailed,
    StateUnavailable,
    StPatternsError,
)
from st_patterns.instances import record, state
from st_patterns.instances.backends.base import STOP_GRACE, Backend
from st_patterns.instances.launcher import Child, Launcher
from st_patterns.instances.models import ACTIVE_STATUSES, Instance, InstanceDetail, InstanceLogs
from st_patterns.instances.placement import Placement
from st_patterns.instances.record import InstanceRecord, LogTail, Progress, Reporter
from st_patterns.instances.source import AppSource
from st_patterns.instances.state import StateStore, check_port_free, pick_port, process_identity
from st_patterns.instances.watch import Watcher

Instances = list[Instance]  # aliases: inside Registry, `list` is the method

MAX_LOG_LINES = 2000  # in-memory ring per instance
DETAIL_TAIL = 20  # log lines in InstanceDetail
FAILURE_TAIL = 40  # log lines in LaunchFailed
WATCH_STOP_GRACE = 1.0  # seconds a running app gets to stop when its files changed
MAX_ENDED = 32  # ended instances kept (for their logs and exit codes); older ones are dropped
MAX_LOG_FILES = 200  # log files kept in state_dir/logs across server runs
MONITOR_INTERVAL = 0.2  # seconds between log pumps
STOP_WAIT = 30.0  # seconds a stop waits for a launch that is still spawning to hand over its process


class Registry:
    """Launches, supervises, stops and remembers reference-app instances.

    Example::

        registry = Registry(Catalog.load(), paths.state_dir(), max_instances=4)
        registry.start()                                   # reaps leftovers of a killed server
        inst = registry.launch("mount_fastapi")            # returns once /_stcore/health answers 200
        httpx.get(inst.urls["/api/hello"]).json()          # {'message': 'hello world'}
        registry.logs(inst.id, tail=20).lines
        registry.stop(inst.id)                             # SIGTERM, SIGKILL after 5 s
        registry.close()
    """

    def __init__(
        self,
        catalog: Catalog,
        state_dir: Path,
        *,
        max_instances: int = 8,
        launcher: Launcher | None = None,
        sandbox: Backend | None = None,
        sandbox_patterns: bool = False,
        allow_user_code: bool = False,
        no_sandbox_reason: str = "no sandbox is configured",
        use_fork: bool = True,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if max_instances < 1:
            raise InvalidInput(f"max_instances must be at least 1, not {max_instances}.")
        self.max_instances = max_instances
        self._catalog = catalog
        self._state_dir = Path(state_dir)
        self._logs_dir = self._state_dir / "logs"
        preload = catalog.preloads()
        self._launcher = launcher or Launcher(use_fork=use_fork, preload=preload, log_dir=self._logs_dir)
        self._placement = Placement(
            self._launcher,
            sandbox,
            sandbox_patterns=sandbox_patterns,
            allow_user_code=allow_user_code,
            no_sandbox_reason=no_sandbox_reason,
        )
        self._host = host
        self._url_host = f"[{host}]" if ":" in host else ("127.0.0.1" if host == "0.0.0.0" else host)
        self._clock, self._now = clock, now
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records: dict[str, InstanceRecord] = {}
        self._watchers: dict[str, Watcher] = {}
        self._version = 0
        self._store: StateStore | None = None
        self._forkserver_pid: int | None = None
        self._monitor_stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._started = self._closed = False
        self.reaped: list[int] = []  # pids of a dead server's leftovers that start() stopped

    @property
    def launcher(self) -> Launcher:
        """The host launcher (warm fork server, cold fallback); shared with validation, so both fork warm."""
        return self._launcher

    @property
    def sandbox(self) -> Backend | None:
        """The sandbox for untrusted code, when one works here (see ``backends.choose``)."""
        return self._placement.sandbox

    @property
    def pattern_backend(self) -> Backend:
        """Where catalog patterns run: the host launcher, or the sandbox with ``sandbox_patterns``."""
        return self._placement.pattern_backend

    def backend_for(self, source: AppSource) -> Backend:
        """Where ``source`` would run; UserCodeRefused for an agent's app when neither sandbox nor host may."""
        return self._placement.backend_for(source)

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the state store, reap a dead server's leftovers, start the launcher; idempotent."""
        with self._lock:
            if self._started:
                return
            if self._closed:
                raise StPatternsError("This registry is closed; create a new one.")
            try:
                self._logs_dir.mkdir(parents=True, exist_ok=True)
                state.prune_logs(self._logs_dir, keep=MAX_LOG_FILES)
                self._store = StateStore(self._state_dir / "registry.sqlite3")
            except (OSError, sqlite3.Error) as exc:
                raise StateUnavailable(str(self._state_dir), f"{type(exc).__name__}: {exc}") from exc
            self.reaped = state.reap_processes(self._store.orphans())
            self._store.forget_dead_owners()
            self._placement.start()
            self._sync_forkserver_row()
            self._monitor = threading.Thread(target=self._monitor_loop, name="st-patterns-registry", daemon=True)
            self._monitor.start()
            self._started = True

    def close(self) -> None:
        """Stop every instance (in parallel), then the launcher and the store; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed, started = True, self._started
        if started:
            self.stop_all()
        self._unwatch(list(self._watchers))
        self._monitor_stop.set()
        if self._monitor is not None:
            self._monitor.join(5)
        self._placement.close()
        with self._lock:
            if self._store is not None:
                self._store.close()  # also forgets this server's rows: nothing of ours is left to reap
                self._store = None
            self._bump()

    def __enter__(self) -> Registry:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        """Increases whenever an instance or its log changes; poll it to know when to re-render."""
        with self._lock:
            return self._version

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until ``version`` is out of date or ``timeout`` passes; return the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != version, timeout)
            return self._version

    # -- queries ---------------------------------------------------------------------------------------------
    def list(self) -> Instances:
        """Every instance of this server, newest first (ended ones too, until pruned or removed)."""
        with self._lock:
            recs = sorted(self._records.values(), key=lambda rec: rec.started_mono, reverse=True)
            return [rec.snapshot(self._url_host) for rec in recs]

    def get(self, instance_id: str) -> InstanceDetail:
        """One instance with CPU, RSS, uptime, a live health check and its last log lines."""
        with self._lock:
            rec = self._get(instance_id)
            base, proc = rec.snapshot(self._url_host), rec.proc
            uptime = (rec.ended_mono if rec.ended_mono is not None else self._clock()) - rec.started_mono
        rec.log.pump()
        return InstanceDetail(
            **base.model_dump(),
            **record.measure(base, proc),
            uptime_seconds=round(max(0.0, uptime), 2),
            log_tail=rec.log.tail(DETAIL_TAIL),
        )

    def logs(self, instance_id: str, tail: int = 100, offset: int | None = None) -> InstanceLogs:
        """A page of up to ``tail`` lines (1-2000) the instance wrote to stdout/stderr: the last ones, or from line
        ``offset`` (counted from 0 since launch) on, so a caller can follow a log without reading it twice."""
        if isinstance(tail, bool) or not isinstance(tail, int) or not 1 <= tail <= MAX_LOG_LINES:
            raise InvalidInput(f"tail must be an integer from 1 to {MAX_LOG_LINES}, not {tail!r}.")
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int) or offset < 0):
            raise InvalidInput(f"offset must be a line number, 0 or more, not {offset!r}.")
        with self._lock:
            rec = self._get(instance_id)
        return rec.log.page(instance_id, tail, offset)

    # -- launching ---------------------------------------------------------------------------------------------
    def launch(
        self, pattern_id: str, port: int | None = None, progress: Progress | None = None, timeout: float = 30.0
    ) -> Instance:
        """Start the pattern's reference app; return once its health URL answers 200.

        Picks a free port when ``port`` is None. Raises PatternNotFound, InvalidInput, PortUnavailable,
        CapacityReached, or LaunchFailed (with the log tail and exit code; the process is stopped first).
        ``progress(elapsed_seconds, timeout, message)`` is called while waiting.
        """
        return self.launch_source(AppSource.from_pattern(self._catalog.get(pattern_id)), port, progress, timeout)

    def launch_source(
        self, source: AppSource, port: int | None = None, progress: Progress | None = None, timeout: float = 30.0
    ) -> Instance:
        """Start ``source`` (a pattern, or an agent's own app) as an instance; see ``launch``.

        An agent's app (kind "app") runs in the sandbox; without one, only with ``allow_user_code`` (else
        UserCodeRefused says what would allow it).
        """
        if port is not None:
            guards.check_port(port)
        timeout = record.check_timeout(timeout)
        self.backend_for(source)  # refuse before anything is recorded
        self.start()
        with self._lock:
            self._check_open()
            self._check_capacity()
            instance_id = self._new_id(source.name)
            log = LogTail(self._logs_dir / f"{instance_id}.log", MAX_LOG_LINES)
            rec = InstanceRecord(instance_id, source, self._claim_port(port), log, self._now(), self._clock())
            self._records[rec.id] = rec
            self._persist(rec)
            self._prune_ended()
            self._bump()
        if source.watch:  # before the first start: an app that fails at import is fixed by the next edit
            self._watch(rec)
        try:
            return self._run(rec, progress, timeout)
        except LaunchFailed as exc:
            if port is not None or "address already in use" not in f"{exc} {exc.log_tail}".lower():
                raise
        with self._lock:  # another process took the picked port before uvicorn bound it: one more try
            self._check_open()
            self._check_capacity()
            self._reset(rec, self._claim_port(None))
        rec.log.note(f"--- st-patterns: port taken, retrying on port {rec.port} ---")
        return self._run(rec, progress, timeout)

    def restart(
        self, instance_id: str, progress: Progress | None = None, timeout: float = 30.0, grace: float = STOP_GRACE
    ) -> Instance:
        """Stop the instance if needed and start it again with the same id and port; returns once healthy."""
        timeout = record.check_timeout(timeout)
        with self._lock:
            rec = self._get(instance_id)
        self._stop_many([rec], grace)
        with self._lock:
            self._check_open()
            if rec.status in ACTIVE_STATUSES:
                raise LaunchFailed(rec.source.name, f"instance {instance_id!r} is being launched by another call")
            self._check_capacity()
            self._reset(rec, self._claim_port(rec.port, exclude=rec.id))
        rec.log.note(f"--- st-patterns: restarted at {rec.started_at.isoformat()} ---")
        return self._run(rec, progress, timeout)

    def _run(self, rec: InstanceRecord, progress: Progress | None, timeout: float) -> Instance:
        pattern_id = rec.source.name
        report = Reporter(progress, timeout, self._clock)
        report(0.0, f"starting {pattern_id} on port {rec.port}")
        on_exit = partial(self._on_exit, rec.id, rec.generation)
        backend = rec.backend = self.backend_for(rec.source)
        try:
            child = backend.spawn(rec.spawn_spec(self._host), on_exit=on_exit, timeout=timeout)
        except Exception as exc:
            self._end_launch(rec)
            raise LaunchFailed(pattern_id, f"could not start a process: {exc}") from exc
        try:
            with self._lock:
                rec.child, rec.launch_mode = child, child.mode
                rec.create_time, rec.proc = process_identity(child.pid)
                self._persist(rec)
                self._sync_forkserver_row()
                self._bump()
            url = rec.snapshot(self._url_host).health_url
            reason = record.wait_healthy(
                child,
                url,
                timeout,
                self._clock,
                report,
                started=rec.started_mono,
                wanted=lambda: rec.status == "starting",
                up=rec.source.up_statuses,
            )
            with self._lock:
                if reason is None and rec.status == "starting" and child.alive:
                    rec.status, rec.launch_seconds = "running", round(self._clock() - rec.started_mono, 3)
                    if rec.proc is not None:
                        with contextlib.suppress(psutil.Error):
                            rec.proc.cpu_percent(None)  # the first call primes the CPU counter
                    self._persist(rec)
                    self._bump()
                    instance = rec.snapshot(self._url_host)
                    report(timeout, f"{pattern_id} is healthy at {instance.url}")
                    return instance
            reason = reason or "the instance was stopped or died right after its first healthy answer"
        except BaseException:
            backend.terminate([child])
            self._end_launch(rec)
            raise
        backend.terminate([child])
        self._end_launch(rec)
        rec.log.pump()
        tail = "\n".join(rec.log.tail(FAILURE_TAIL))
        raise LaunchFailed(
            pattern_id, reason + record.missing_module_hint(tail), log_tail=tail, returncode=child.returncode
        )

    # -- stopping --------------------------------------------------------------------------------------------
    def stop(self, instance_id: str) -> Instance:
        """SIGTERM the instance's process group, SIGKILL after 5 s; an already gone process counts as stopped."""
        with self._lock:
            rec = self._get(instance_id)
        self._unwatch([rec.id])
        return self._stop_many([rec])[0]

    def stop_all(self) -> Instances:
        """Stop every active instance in parallel; returns them as stopped."""
        with self._lock:
            recs = [rec for rec in self._records.values() if rec.status in ACTIVE_STATUSES]
            watched = list(self._watchers)
        self._unwatch(watched)
        return self._stop_many(recs)

    def remove(self, instance_id: str) -> None:
        """Stop the instance if needed and forget it, with its log file."""
        with self._lock:
            rec = self._get(instance_id)
        self._unwatch([rec.id])
        self._stop_many([rec])
        with self._lock:
            self._forget(rec)
            self._bump()

    def _stop_many(self, recs: Sequence[InstanceRecord], grace: float = STOP_GRACE) -> Instances:
        with self._lock:
            for rec in recs:
                if rec.status in ACTIVE_STATUSES:
                    rec.status = "stopping"
                    self._persist(rec)
            self._bump()
            stopping = [rec for rec in recs if rec.status == "stopping" and rec.child is not None]
            children = [rec.child for rec in stopping if rec.child is not None]
        self._terminate(stopping, grace)
        with self._changed:  # a launch still spawning ends its own record once it sees "stopping"
            self._changed.wait_for(lambda: all(r.status != "stopping" or r.child for r in recs), STOP_WAIT)
            late = [r for r in recs if r.status == "stopping" and r.child is not None and r.child not in children]
        self._terminate(late)
        with self._lock:
            for rec in recs:
                if rec.status == "stopping":
                    rec.end("stopped", self._clock())
                    self._persist(rec)
            self._bump()
            return [rec.snapshot(self._url_host) for rec in recs]

    # -- internals -------------------------------------------------------------------------------------------
    def _on_exit(self, instance_id: str, generation: int, child: Child) -> None:
        """Exit report from the launcher (its reader or watcher thread)."""
        with self._lock:
            rec = self._records.get(instance_id)
            if rec is None or rec.generation != generation:
                return
            if rec.status in ("running", "stopping"):
                rec.end("exited" if rec.status == "running" else "stopped", self._clock())
            else:  # "starting": the launching thread reports the failure
                rec.exit_code = child.returncode
            self._persist(rec)
            self._bump()

    def _end_launch(self, rec: InstanceRecord) -> None:
        with self._lock:
            rec.end("stopped" if rec.status in ("stopping", "stopped") else "failed", self._clock())
            self._persist(rec)
            self._bump()

    def _reset(self, rec: InstanceRecord, port: int) -> None:
        rec.reset(port, self._now(), self._clock())
        self._persist(rec)
        self._bump()

    def _get(self, instance_id: str) -> InstanceRecord:
        rec = self._records.get(instance_id) if isinstance(instance_id, str) else None
        if rec is None:
            raise InstanceNotFound(str(instance_id)[:80], sorted(self._records))
        return rec

    def _check_open(self) -> None:
        if self._closed:
            raise StPatternsError("This registry is closed; no new instances can be launched.")

    def _check_capacity(self) -> None:
        if sum(rec.status in ("starting", "running") for rec in self._records.values()) >= self.max_instances:
            raise CapacityReached(self.max_instances)

    def _claim_port(self, port: int | None, exclude: str | None = None) -> int:
        taken = {r.port: r.id for r in self._records.values() if r.status in ACTIVE_STATUSES and r.id != exclude}
        if port is None:
            return pick_port(self._host, set(taken))
        check_port_free(self._host, port, taken.get(port))
        return port

    def _watch(self, rec: InstanceRecord) -> None:
        def changed() -> None:
            rec.log.note("--- st-patterns: files changed, restarting ---")
            self.restart(rec.id, grace=WATCH_STOP_GRACE)

        watcher = Watcher(rec.source.folder, changed)
        with self._lock:
            self._watchers[rec.id] = watcher

    def _unwatch(self, ids: Sequence[str]) -> None:
        with self._lock:
            watchers = [w for i in ids if (w := self._watchers.pop(i, None)) is not None]
        for watcher in watchers:
            watcher.stop()

    def _terminate(self, recs: Sequence[InstanceRecord], grace: float = STOP_GRACE) -> None:
        self._placement.terminate([(rec.backend, rec.child) for rec in recs if rec.child is not None], grace)

    def _new_id(self, pattern_id: str) -> str:
        while (candidate := f"{pattern_id}-{secrets.token_hex(3)}") in self._records:
            pass
        return candidate

    def _persist(self, rec: InstanceRecord) -> None:
        if self._store is not None:
            self._store.put(rec.id, "instance", rec.pid, rec.create_time, rec.source.name, rec.port, rec.status)

    def _sync_forkserver_row(self) -> None:
        pid = self._launcher.forkserver_pid
        if self._store is not None and pid is not None and pid != self._forkserver_pid:
            self._forkserver_pid = pid
            self._store.put("forkserver", "forkserver", pid, process_identity(pid)[0], None, None, "running")

    def _prune_ended(self) -> None:
        ended = [rec for rec in self._records.values() if rec.status not in ACTIVE_STATUSES]
        for rec in sorted(ended, key=lambda r: r.ended_key)[: max(0, len(ended) - MAX_ENDED)]:
            self._forget(rec)

    def _forget(self, rec: InstanceRecord) -> None:
        if self._records.pop(rec.id, None) is not None and self._store is not None:
            self._store.delete(rec.id)
        rec.log.delete()

    def _bump(self) -> None:
        self._version += 1
        self._changed.notify_all()

    def _monitor_loop(self) -> None:
        """Pump every live log (and each ended one a last time); bump the version when lines arrived."""
        while not self._monitor_stop.wait(MONITOR_INTERVAL):
            with self._lock:
                recs = [(rec, rec.generation) for rec in self._records.values() if not rec.log_final]
                ended = {rec.id for rec, _ in recs if rec.status not in ACTIVE_STATUSES}
            changed = False
            for rec, _ in recs:
                changed |= rec.log.pump()
            with self._lock:
                for rec, generation in recs:
                    rec.log_final = rec.id in ended and rec.generation == generation
                if changed:
                    self._bump()
