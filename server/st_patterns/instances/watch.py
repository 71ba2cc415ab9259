"""Restart an agent's app when its files change: watchdog's file events, debounced, then one callback.

Editors write a file in several steps (temp file, rename, chmod); waiting ``DEBOUNCE`` seconds after the last event
restarts the app once per save. Caches and hidden folders are ignored.

Example::

    watcher = Watcher(folder, on_change=lambda: registry.restart(instance_id))
    ...
    watcher.stop()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)

DEBOUNCE = 0.25  # seconds of quiet after the last change before the restart
IGNORED_PARTS = frozenset({"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache"})


def _relevant(path: str, root: Path) -> bool:
    try:
        parts = Path(path).resolve().relative_to(root).parts
    except ValueError:
        return False
    if not parts or parts[-1].endswith((".pyc", ".swp", "~")):
        return False
    return not any(part in IGNORED_PARTS or part.startswith(".") for part in parts)


class Watcher(FileSystemEventHandler):
    def __init__(self, folder: Path, on_change: Callable[[], None], debounce: float = DEBOUNCE) -> None:
        self.folder = folder.resolve()
        self.on_change = on_change
        self.debounce = debounce
        self.changes = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._stopped = False
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.schedule(self, str(self.folder), recursive=True)
        self._observer.start()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        if not any(p and _relevant(p, self.folder) for p in paths):
            return
        with self._lock:
            if self._stopped:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.changes += 1
        try:
            self.on_change()
        except Exception:  # a failed restart is the registry's to report; keep watching for the fix
            log.exception("restart after a change in %s failed", self.folder)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
        self._observer.stop()
        if threading.current_thread() is not self._observer:
            self._observer.join(5)
