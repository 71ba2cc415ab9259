"""Pattern: security headers on every HTTP response, with a CSP the Streamlit UI really works under.

Run from any directory:  uvicorn app:app --app-dir /path/to/middleware_security_headers --port 8501
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources ('sha256-...') for every inline <script> block of a page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


# Streamlit's index.html carries one tiny inline script (`window.prerenderReady = false`). Hash it from the
# INSTALLED page at start-up instead of pasting a hash: a pasted hash silently goes stale on the next upgrade.
_STREAMLIT_INDEX = Path(streamlit.__file__).resolve().parent / "static" / "index.html"
_SCRIPT_HASHES = " ".join(inline_script_hashes(_STREAMLIT_INDEX.read_text(encoding="utf-8")))

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Bundles from /static/ plus the one hashed inline script. 'wasm-unsafe-eval' allows compiling
        # WebAssembly only (NOT JS eval): the protobuf decoder's 64-bit maths builds a tiny wasm module.
        f"script-src 'self' 'wasm-unsafe-eval' {_SCRIPT_HASHES}",
        "style-src 'self' 'unsafe-inline'",  # emotion (CSS-in-JS) injects <style> tags at run time
        "img-src 'self' data: blob:",  # icons and SVGs as data: URLs, st.image/media via /media/
        "font-src 'self' data:",
        "media-src 'self' data: blob:",  # st.audio / st.video / recorded audio
        # fetch() to /_stcore/* and the websocket: CSP Level 3 'self' also matches ws:/wss: on the same host.
        # Never widen this to bare `ws: wss:` (any host); name your origin if an old browser needs it.
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",  # custom components are iframes served from /component/
        "frame-ancestors 'self'",  # not 'none': Streamlit frames its own component pages
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "SAMEORIGIN"),  # legacy twin of frame-ancestors 'self'
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
# HSTS only means something over TLS, and sent over plain http it is ignored at best; at worst a dev host that
# later answers https gets pinned. So it is added only when the request really arrived as https.
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """Pure ASGI: adds the headers to every HTTP response, including Streamlit's own (page, assets, health)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # websocket: the 101 upgrade is not a document, so CSP/framing headers mean nothing there;
            # lifespan: no response at all. Pass both through untouched.
            await self.app(scope, receive, send)
            return
        # scope["scheme"] is "https" only for TLS served by uvicorn itself, or when a trusted proxy
        # (uvicorn --forwarded-allow-ips) sent X-Forwarded-Proto: https.
        extra = (*SECURITY_HEADERS, HSTS) if scope["scheme"] == "https" else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI; Starlette always sends it
                headers = MutableHeaders(scope=message)  # edits message["headers"] in place
                for name, value in extra:
                    headers.setdefault(name, value)  # a route that sets its own value keeps it
            await send(message)

        await self.app(scope, receive, send_with_headers)


# User middleware wraps Streamlit's internal middleware, so it sees every response Streamlit produces.
app = App(HERE / "ui.py", middleware=[Middleware(SecurityHeadersMiddleware)])
