"""One long-lived thread that starts every child process, so the kernel's PR_SET_PDEATHSIG stays meaningful.

The kernel ties ``PR_SET_PDEATHSIG`` (and bubblewrap's ``--die-with-parent``) to the *thread* that forked: a child
started from a short-lived worker thread would be killed when that thread exits. The launcher and the bubblewrap
sandboxes start their processes through a ``Spawner`` instead.

Example::

    spawner = Spawner()
    proc = spawner.call(lambda: subprocess.Popen(cmd))
    spawner.stop()
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class Spawner:
    """Runs callables on one long-lived thread, so PDEATHSIG children outlive the caller's thread."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="st-patterns-spawner", daemon=True)
        self._thread.start()

    def call(self, fn: Callable[[], Any]) -> Any:
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("the launcher is closed")
            self._queue.put((fn, future))
        return future.result()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._queue.put(None)
        self._thread.join(5)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            fn, future = item
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)
