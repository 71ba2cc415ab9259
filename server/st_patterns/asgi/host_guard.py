"""DNS-rebinding protection for the whole server: the Host header must name this server.

A web page on evil.example can resolve its own name to 127.0.0.1 and make the victim's browser talk to a
loopback server; the browser then sends ``Host: evil.example``. Refusing unknown Host values (on HTTP and
websocket scopes) stops that. FastMCP applies the same rule, plus Origin checks, to /mcp on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def host_name(host_header: str) -> str:
    """``"[::1]:8765"`` -> ``"::1"``, ``"Example.COM:80"`` -> ``"example.com"``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostGuardMiddleware:
    """Answer 421 (HTTP) or refuse the handshake (websocket) when Host is not an allowed name.

    Example::

        Starlette(middleware=[Middleware(HostGuardMiddleware, allowed=["127.0.0.1", "localhost"])])
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed)
        self.any_host = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any_host:
            await self.app(scope, receive, send)
            return
        if host_name(Headers(scope=scope).get("host", "")) in self.allowed:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(
            "Misdirected request: unknown Host header. Use the server's own address, or start it with "
            "--allowed-host NAME.",
            status_code=421,
        )
        await response(scope, receive, send)
