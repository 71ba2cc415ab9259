"""The registry's plumbing: the SQLite process table, reaping a dead server's leftovers, claiming ports.

Kept apart from ``registry.py`` so that module reads as the instance life cycle only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path

import psutil

from st_patterns.errors import PortUnavailable
from st_patterns.instances.launcher import KILL_WAIT, STOP_GRACE

IDENTITY_TOLERANCE = 0.05  # seconds; psutil create times are exact to 1/100 s


def process_identity(pid: int) -> tuple[float | None, psutil.Process | None]:
    """(create time, handle) of a live process, or (None, None) when it is already gone."""
    try:
        proc = psutil.Process(pid)
        return proc.create_time(), proc
    except psutil.Error:
        return None, None


def is_same_process(pid: int | None, create_time: float | None) -> bool:
    """True when ``pid`` is alive (not a zombie) and was created at ``create_time``: guards against pid reuse."""
    if not pid or create_time is None:
        return False
    try:
        proc = psutil.Process(pid)
        return abs(proc.create_time() - create_time) < IDENTITY_TOLERANCE and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def reap_processes(rows: list[tuple[int, float]], grace: float = STOP_GRACE) -> list[int]:
    """Stop the processes among ``rows`` (pid, create time) that still exist; return the pids signalled."""
    live = [pid for pid, created in rows if is_same_process(pid, created)]
    created_at = dict(rows)
    for pid in live:
        _signal_group(pid, signal.SIGTERM)
    for sig, wait in ((signal.SIGKILL, grace), (None, KILL_WAIT)):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(is_same_process(pid, created_at[pid]) for pid in live):
            time.sleep(0.05)
        if sig is not None:
            for pid in live:
                if is_same_process(pid, created_at[pid]):
                    _signal_group(pid, sig)
    return live


def pick_port(host: str, taken: set[int]) -> int:
    """A port the OS calls free right now and no instance of ours holds."""
    for _ in range(100):
        with socket.socket(_family(host)) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            return port
    raise PortUnavailable("No free port found after 100 tries; stop some instances and try again.")


def check_port_free(host: str, port: int, used_by: str | None) -> None:
    """Raise PortUnavailable naming the port when an instance of ours or another process holds it."""
    if used_by is not None:
        raise PortUnavailable(
            f"Port {port} is already used by instance {used_by!r}. Omit the port to get a free one, "
            "or stop that instance first."
        )
    with socket.socket(_family(host)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
            sock.listen(1)
        except OSError as exc:
            raise PortUnavailable(
                f"Port {port} on {host} is already taken by another process ({exc.strerror}). "
                "Omit the port to get a free one, or choose another."
            ) from None


def prune_logs(logs_dir: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest ``*.log`` files left by earlier servers."""
    files = sorted(logs_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class StateStore:
    """SQLite table of the processes a server started, keyed by owner, for reaping after a crash.

    Example::

        store = StateStore(state / "registry.sqlite3")
        store.put("mount_fastapi-1a2b3c", "instance", pid, create_time, "mount_fastapi", 8501, "running")
        store.orphans()        # [(pid, create_time)] of rows whose owning server is dead
    """

    def __init__(self, path: Path) -> None:
        me = psutil.Process()
        self.owner = (me.pid, me.create_time())
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA synchronous=OFF")  # a lost row only means a missed reap after a power cut
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS processes (owner_pid INTEGER NOT NULL, owner_created REAL NOT NULL, "
            "key TEXT NOT NULL, kind TEXT NOT NULL, pid INTEGER, created REAL, pattern_id TEXT, port INTEGER, "
            "status TEXT, PRIMARY KEY (owner_pid, owner_created, key))"
        )

    def put(
        self,
        key: str,
        kind: str,
        pid: int | None,
        created: float | None,
        pattern_id: str | None,
        port: int | None,
        status: str,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO processes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*self.owner, key, kind, pid, created, pattern_id, port, status),
            )

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM processes WHERE owner_pid = ? AND owner_created = ? AND key = ?", (*self.owner, key)
            )

    def _dead_owners(self) -> list[tuple[int, float]]:
        owners = self._db.execute("SELECT DISTINCT owner_pid, owner_created FROM processes").fetchall()
        return [(pid, created) for pid, created in owners if not is_same_process(pid, created)]

    def orphans(self) -> list[tuple[int, float]]:
        """(pid, create time) of live-looking processes whose owning server is gone."""
        with self._lock:
            rows: list[tuple[int, float]] = []
            for owner in self._dead_owners():
                rows += self._db.execute(
                    "SELECT pid, created FROM processes WHERE owner_pid = ? AND owner_created = ? AND pid IS NOT NULL "
                    "AND created IS NOT NULL AND (kind = 'forkserver' OR status IN ('starting', 'running', "
                    "'stopping'))",
                    owner,
                ).fetchall()
            return rows

    def forget_dead_owners(self) -> None:
        with self._lock:
            for owner in self._dead_owners():
                self._db.execute("DELETE FROM processes WHERE owner_pid = ? AND owner_created = ?", owner)

    def close(self, forget: bool = True) -> None:
        """Close the database, first forgetting this owner's rows (its processes are stopped) unless told not to."""
        with self._lock:
            if forget:
                self._db.execute("DELETE FROM processes WHERE owner_pid = ? AND owner_created = ?", self.owner)
            self._db.close()
