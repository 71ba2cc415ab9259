"""The parent side of ``st_patterns.instances.forkserver``: JSON-line requests and replies, exit events, child handles.

:class:`Child` is also the handle for cold children (see ``launcher.py``), so both kinds report exits the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

REPLY_TIMEOUT = 10.0  # seconds a running fork server has to answer a request
CLOSE_TIMEOUT = 10.0  # seconds the fork server gets to stop its children and exit after its pipe closes

LaunchMode = Literal["fork", "cold", "bwrap", "docker"]
ExitCallback = Callable[["Child"], None]


class ForkUnavailable(Exception):
    """Raised inside the launcher when the fork server cannot serve a spawn; the launcher then goes cold."""


class Child:
    """One started app process; ``returncode`` is set and ``on_exit`` called (once) when it has exited.

    A negative return code means "killed by that signal", as with ``subprocess.Popen``.
    """

    def __init__(self, pid: int, mode: LaunchMode, on_exit: ExitCallback | None = None) -> None:
        self.pid = pid
        self.mode: LaunchMode = mode
        self.returncode: int | None = None
        self._done = threading.Event()
        self._finish_lock = threading.Lock()
        self._on_exit = on_exit

    def __repr__(self) -> str:
        return f"Child(pid={self.pid}, mode={self.mode!r}, returncode={self.returncode})"

    @property
    def alive(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the exit is known or ``timeout`` passes; True when it has exited."""
        return self._done.wait(timeout)

    def finish(self, code: int | None) -> None:
        """Record the exit (first report wins) and call ``on_exit``."""
        with self._finish_lock:
            if self._done.is_set():
                return
            self.returncode = code
            self._done.set()
        if self._on_exit is not None:
            try:
                self._on_exit(self)
            except Exception:
                log.exception("exit callback for pid %s failed", self.pid)


@dataclass
class _Pending:
    on_exit: ExitCallback | None
    event: threading.Event = field(default_factory=threading.Event)
    reply: dict[str, Any] = field(default_factory=dict)
    child: Child | None = None


class ForkServerClient:
    """Talks to one running fork server over its stdin/stdout; a reader thread dispatches replies and exits.

    Example::

        client = ForkServerClient(subprocess.Popen([...forkserver...], stdin=PIPE, stdout=PIPE))
        client.ready.wait(30)
        child = client.spawn({"folder": ..., "entry": "app.py", "port": 8501, "log": ...}, on_exit=print, timeout=30)
        client.close()                     # the fork server stops its children and exits
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.ready = threading.Event()
        self.broken: str | None = None
        self.tainted_by: str | None = None
        self.info: dict[str, Any] = {}
        self.children: dict[int, Child] = {}
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_loop, name="st-patterns-forkserver-reader", daemon=True)
        self._reader.start()

    def spawn(self, request: dict[str, Any], on_exit: ExitCallback | None, timeout: float) -> Child:
        """Ask for one child (``request`` as in the fork server's protocol); raise ForkUnavailable if it cannot."""
        if not self.ready.wait(timeout):
            raise ForkUnavailable(f"fork server not ready after {timeout:.1f} s")
        if self.broken is not None:
            raise ForkUnavailable(self.broken)
        if self.tainted_by is not None:
            raise ForkUnavailable(f"fork server unsafe after importing {self.tainted_by!r}")
        pending = self._request({**request, "op": "spawn"}, on_exit)
        if pending.child is None:
            self.tainted_by = pending.reply.get("tainted_by") or self.tainted_by
            raise ForkUnavailable(str(pending.reply.get("error") or "fork server refused the spawn"))
        return pending.child

    def _request(self, message: dict[str, Any], on_exit: ExitCallback | None = None) -> _Pending:
        pending = _Pending(on_exit)
        with self._lock:
            if self.broken is not None:
                raise ForkUnavailable(self.broken)
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = pending
        data = (json.dumps({**message, "id": request_id}) + "\n").encode()
        try:
            with self._write_lock:
                assert self.proc.stdin is not None
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
        except (OSError, ValueError) as exc:
            with self._lock:
                self._pending.pop(request_id, None)
            raise ForkUnavailable(f"fork server pipe closed: {exc}") from exc
        if not pending.event.wait(REPLY_TIMEOUT):
            with self._lock:
                self._pending.pop(request_id, None)
            raise ForkUnavailable(f"fork server did not answer within {REPLY_TIMEOUT:.0f} s")
        return pending

    def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("fork server wrote a non-JSON line: %r", line[:200])
                continue
            self._dispatch(message)
        code = self.proc.wait()
        with self._lock:
            self.broken = self.broken or f"fork server exited with code {code}"
            pending, self._pending = list(self._pending.values()), {}
            children, self.children = list(self.children.values()), {}
        self.ready.set()
        for item in pending:
            item.reply = {"ok": False, "error": self.broken}
            item.event.set()
        for child in children:  # PR_SET_PDEATHSIG sends them SIGKILL as the fork server goes
            child.finish(-signal.SIGKILL)

    def _dispatch(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "ready":
            self.info = message
            if not message.get("ok"):
                self.broken = f"fork server could not import {sorted(message.get('failed', {}))}"
            self.tainted_by = message.get("tainted_by")
            self.ready.set()
        elif event == "exit":
            with self._lock:
                child = self.children.pop(int(message["pid"]), None)
            if child is not None:
                child.finish(message.get("code"))
        else:
            with self._lock:
                pending = self._pending.pop(message.get("id", -1), None)
                if pending is not None and message.get("ok") and "pid" in message:
                    pending.child = Child(int(message["pid"]), "fork", pending.on_exit)
                    self.children[pending.child.pid] = pending.child
            if pending is not None:
                pending.reply = message
                pending.event.set()

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close the control pipe: the fork server stops its children and exits; kill it if it hangs."""
        with contextlib.suppress(OSError, ValueError), self._write_lock:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)
