"""The server's side of a sandbox agent's control socket: wait for "ready", send the spawn with its two fds.

See ``st_patterns.instances.sandbox_agent`` for the other side and the message shapes.

Example::

    link = AgentLink(server_end_of_socketpair)
    link.wait_ready(30)
    reply = link.spawn({"folder": "/app", "entry": "app.py", "port": 8501}, [listen_fd, log_fd], timeout=10)
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import Any

MAX_LINE = 1 << 20


class AgentError(Exception):
    """The agent is gone, broke the protocol, or refused: the sandbox cannot be used."""


class AgentLink:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.ready_info: dict[str, Any] = {}
        self._buffer = b""

    def _read_message(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AgentError(f"the sandbox did not answer within {timeout:.0f} s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                raise AgentError(f"control socket failed: {exc}") from exc
            if not chunk:
                raise AgentError("the sandbox exited before it answered")
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE:
                raise AgentError("the sandbox sent an oversized message")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError as exc:
            raise AgentError(f"the sandbox sent a non-JSON line: {line[:200]!r}") from exc

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        message = self._read_message(timeout)
        if message.get("event") != "ready" or not message.get("ok"):
            raise AgentError(f"the sandbox could not import its runtime: {message.get('failed') or message}")
        self.ready_info = message
        return message

    def spawn(self, request: dict[str, Any], fds: list[int], timeout: float) -> dict[str, Any]:
        data = (json.dumps({**request, "op": "spawn"}) + "\n").encode()
        try:
            self.sock.settimeout(timeout)
            socket.send_fds(self.sock, [data], fds)
        except OSError as exc:
            raise AgentError(f"could not hand the app to the sandbox: {exc}") from exc
        reply = self._read_message(timeout)
        if not reply.get("ok"):
            raise AgentError(str(reply.get("error") or reply))
        return reply

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
