"""Pattern: an IP allow-list (CIDR) for the page AND the websocket, honouring X-Forwarded-For only from trusted proxies.

Serve WITHOUT uvicorn's own proxy handling, so scope["client"] is the real TCP peer:
    uvicorn app:app --app-dir /path/to/middleware_ip_whitelist --port 8501 --no-proxy-headers
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Load balancers probe health from their own addresses; everything else is behind the allow-list.
PUBLIC_PATHS = frozenset({"/_stcore/health"})


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """'10.0.0.0/8, ::1' -> networks. Strict: '10.0.0.1/8' (host bits set) is a typo and stops start-up."""
    return tuple(ipaddress.ip_network(item.strip()) for item in value.split(",") if item.strip())


def parse_ip(value: str) -> IPAddress | None:
    """An address from a peer or an X-Forwarded-For entry ('1.2.3.4', '1.2.3.4:80', '[::1]:80'), else None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]  # IPv4 with a port; bare IPv6 has two or more colons
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped  # ::ffff:10.1.2.3 (dual-stack socket) must match the IPv4 networks
    return ip


def in_any(ip: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    # CIDR membership. `str(ip) in {"10.0.0.0/8"}` is the classic bug: a string set never matches 10.1.2.3.
    return any(ip in network for network in networks)


ALLOWED = parse_networks(os.environ.get("ST_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128,10.0.0.0/8"))
TRUSTED_PROXIES = parse_networks(os.environ.get("ST_TRUSTED_PROXIES", "127.0.0.1"))


def client_ip(scope: Scope) -> IPAddress | None:
    """The address to check: the TCP peer, or, if the peer is a trusted proxy, the forwarded client."""
    peer = parse_ip(scope["client"][0]) if scope.get("client") else None
    if peer is None or not in_any(peer, TRUSTED_PROXIES):
        return peer  # direct client: any X-Forwarded-For it sent is its own claim, so it is ignored
    forwarded = ",".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for")
    if not forwarded.strip():
        return peer  # the proxy itself (or a local tool) without a forwarded client
    # Each proxy APPENDS the address it received from, so only the right end is trustworthy: walk from the
    # right past our own proxies; the first other address is the client. The left end is client-controlled.
    hops = [parse_ip(entry) for entry in forwarded.split(",")]
    for hop in reversed(hops):
        if hop is None:
            return None  # garbage in the chain: fail closed
        if not in_any(hop, TRUSTED_PROXIES):
            return hop
    return hops[0]  # every hop is a trusted proxy: the request started at one of them


class IPAllowListMiddleware:
    """Pure ASGI, so the websocket is checked too (BaseHTTPMiddleware never sees it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope)
        if ip is not None and in_any(ip, ALLOWED):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Close before accept: the handshake is answered with HTTP 403 and no Streamlit session starts.
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse("forbidden", status_code=403)(scope, receive, send)


app = App(HERE / "ui.py", middleware=[Middleware(IPAllowListMiddleware)])
