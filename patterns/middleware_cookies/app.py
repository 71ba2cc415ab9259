"""Pattern: a middleware that gives each browser a visitor-id cookie once, plus a /prefs route for a preference.

The Streamlit script reads both cookies with `st.context.cookies`.
Run from any directory:  uvicorn app:app --app-dir /path/to/middleware_cookies --port 8501
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

VISITOR_COOKIE = "visitor_id"
UNITS_COOKIE = "units"
UNITS = ("metric", "imperial")
ONE_YEAR = 365 * 24 * 3600
# A cookie is user input: only a value we could have issued is accepted, anything else is replaced.
_VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def cookie_header(name: str, value: str, *, secure: bool, max_age: int = ONE_YEAR) -> str:
    """A Set-Cookie value. HttpOnly: page JavaScript cannot read it; Secure only where it can come back."""
    attributes = [f"{name}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if secure:  # Secure over plain http means the browser stores it but never sends it back
        attributes.append("Secure")
    return "; ".join(attributes)


class VisitorCookieMiddleware:
    """Pure ASGI: issue `visitor_id` on the page response when the browser has none; never touch assets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # websocket: nothing to set on the upgrade; the browser already sends the cookies with the handshake,
            # and that is where st.context.cookies reads them for the script. lifespan: no cookies at all.
            await self.app(scope, receive, send)
            return
        current = HTTPConnection(scope).cookies.get(VISITOR_COOKIE, "")
        if _VISITOR_ID.fullmatch(current):
            scope.setdefault("state", {})["visitor_id"] = current  # routes can read request.state.visitor_id
            await self.app(scope, receive, send)
            return
        new_id = secrets.token_urlsafe(16)  # 22 URL-safe characters, matches _VISITOR_ID
        scope.setdefault("state", {})["visitor_id"] = new_id
        secure = scope["scheme"] == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI; Starlette always sends it
                headers = MutableHeaders(scope=message)  # edits message["headers"] in place
                # Only on HTML documents (the page): not on the ~60 JS/CSS/font responses, health checks or
                # media, which would each mint and set a different id on a cookie-less first load.
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", cookie_header(VISITOR_COOKIE, new_id, secure=secure))
                    # A response that sets a per-visitor cookie must never be stored by a shared cache (CDN).
                    headers["cache-control"] = "private, no-cache"
            await send(message)

        await self.app(scope, receive, send_with_cookie)


PREFS_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preferences</title></head>
<body><main style="max-width:20rem;margin:4rem auto;font-family:sans-serif"><h1>Units</h1>
<form method="post" action="/prefs">{options}<br><button type="submit">Save</button></form></main></body></html>"""


async def prefs(request: Request) -> Response:
    """GET: a small form. POST: validate the choice, store it in a cookie, go back to the page."""
    if request.method == "GET":
        current = request.cookies.get(UNITS_COOKIE, UNITS[0])
        options = "".join(
            f'<label><input type="radio" name="units" value="{u}"{" checked" if u == current else ""}> {u}</label><br>'
            for u in UNITS
        )
        return HTMLResponse(PREFS_FORM.format(options=options))
    units = str((await request.form()).get("units", ""))
    if units not in UNITS:  # allow-list: the value ends up in a header and in the UI
        return PlainTextResponse(f"units must be one of {', '.join(UNITS)}", status_code=400)
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", cookie_header(UNITS_COOKIE, units, secure=request.url.scheme == "https"))
    return response


app = App(
    HERE / "ui.py",
    routes=[Route("/prefs", prefs, methods=["GET", "POST"])],
    middleware=[Middleware(VisitorCookieMiddleware)],
)
