"""The shared state of the background_tasks pattern: the latest result of the lifespan's refresher.

It lives in its own module (not in app.py) because BOTH the ASGI side (app.py) and the Streamlit script
(ui.py) import it, and the script must never import app.py (see explanation.md, "What breaks").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import streamlit as st

REFRESH_SECONDS = 0.25  # how often the lifespan's task refreshes the value


@dataclass(frozen=True)
class Snapshot:
    """One published result. Frozen: readers get a consistent copy, never a half-updated object."""

    value: float = 0.0
    count: int = 0
    updated_at: str | None = None
    updated_mono: float | None = None  # time.monotonic() of the update, for the age (immune to clock changes)
    last_error: str | None = None


class LiveStore:
    """Latest refresher result plus whether a refresher is running; safe to read from any thread.

    The refresher writes on the event loop; the Streamlit script reads from its ScriptRunner thread, so every
    access takes a threading.Lock (an asyncio/anyio lock would not protect against another thread).
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._running = False

    def claim(self) -> bool:
        """Mark a refresher as running; False if one already is (so a second one is never started)."""
        with self._lock:
            if self._running:
                return False
            self._running = True
            return True

    def release(self) -> None:
        with self._lock:
            self._running = False

    @property
    def running(self) -> bool:
        with self._lock:
            return self._running

    def publish(self, value: float) -> None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._snapshot = Snapshot(value, self._snapshot.count + 1, now, time.monotonic(), None)

    def record_error(self, error: str) -> None:
        with self._lock:
            self._snapshot = replace(self._snapshot, last_error=error)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    def age(self, snap: Snapshot) -> float | None:
        return None if snap.updated_mono is None else time.monotonic() - snap.updated_mono

    def is_stale(self, snap: Snapshot) -> bool:
        """No update for three intervals: the refresher died, hangs, or was never started."""
        age = self.age(snap)
        return age is None or age > 3 * self.interval


# st.cache_resource is process-wide and keyed by module + function name + source, NOT by module object:
# the script gets this same store even after Streamlit's file watcher has re-imported this module, while a
# module-level `STORE = LiveStore()` would be replaced by an empty one that nothing updates.
@st.cache_resource(show_spinner=False)
def get_store() -> LiveStore:
    return LiveStore(REFRESH_SECONDS)
