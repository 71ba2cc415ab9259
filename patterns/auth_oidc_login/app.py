"""Pattern: Streamlit's built-in OpenID Connect login (st.login / st.user / st.logout) with the page, /_stcore/
and the websocket refused until the identity cookie Streamlit set after the login is valid.

st.login alone protects nothing: without the cookie Streamlit still accepts the websocket and runs the script
(st.user.is_logged_in is just False). A pure ASGI guard in front of it checks Streamlit's own signed
`_streamlit_user` cookie with Streamlit's own decoder, and sends anonymous browsers straight into the login flow.

Run from any directory (point it at your provider; the values below are placeholders):
    OIDC_SERVER_METADATA_URL=https://idp.example.com/.well-known/openid-configuration \
    OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... OIDC_REDIRECT_URI=http://localhost:8501/oauth2callback \
    ST_AUTH_COOKIE_SECRET=$(python -c 'import secrets; print(secrets.token_hex(32))') \
    uvicorn app:app --app-dir /path/to/auth_oidc_login --port 8501
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

# Streamlit's own cookie handling (not underscored, but internal modules: re-check them when upgrading Streamlit;
# an import error here at start-up is the loud failure you want, rather than a guard that silently lets all in).
from streamlit.auth_util import get_cookie_with_chunks
from streamlit.starlette import App
from streamlit.user_info import generate_login_redirect_url
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value
from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

REDIRECT_URI = os.environ.get("OIDC_REDIRECT_URI", "http://localhost:8501/oauth2callback")
# The origin Streamlit writes into the identity cookie and compares with the websocket's Origin header.
APP_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(REDIRECT_URI))

# The [auth] section of secrets.toml, given in code. Flat keys = the "default" provider of st.login().
AUTH: dict[str, Any] = {
    "redirect_uri": REDIRECT_URI,  # must be this app's /oauth2callback, registered at the provider
    "cookie_secret": os.environ.get("ST_AUTH_COOKIE_SECRET", ""),  # signs the identity cookie: keep it secret
    "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
    "client_secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
    "server_metadata_url": os.environ.get("OIDC_SERVER_METADATA_URL", ""),
    # Streamlit's default is "openid email profile"; every claim lands in the cookie, so ask for what you show.
    "client_kwargs": {"scope": "openid email"},
}

# Exactly what must work without a session: our login entry, Streamlit's three auth routes, the health check.
# NOT /_stcore/ as a prefix (websocket, host-config, uploads, agent API) and NOT /static/: an anonymous visitor
# never sees a Streamlit page (the login page is the provider's), so no Streamlit asset has to be public.
PUBLIC_PATHS = frozenset({"/login", "/auth/login", "/oauth2callback", "/auth/logout", "/_stcore/health"})


def identity(cookies: Mapping[str, str]) -> dict[str, Any] | None:
    """The user of a valid identity cookie (signature, age, origin, logged-in flag), else None."""
    secret = get_cookie_secret()  # the same secret Streamlit signed with: auth.cookie_secret

    def one(name: str) -> bytes | None:
        raw = cookies.get(name)
        # itsdangerous signature salted with the cookie name, max age 31 days; None when forged or expired.
        return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

    # A big cookie is split into _streamlit_user + _streamlit_user_1, _2...: every chunk is checked.
    decoded = get_cookie_with_chunks(one, USER_COOKIE_NAME)
    if not decoded:
        return None
    try:
        user = json.loads(decoded)
    except ValueError:
        return None
    if not isinstance(user, dict) or user.get("is_logged_in") is not True or user.get("origin") != APP_ORIGIN:
        return None
    return user


class OIDCGuard:
    """Pure ASGI, so it sees websockets too (BaseHTTPMiddleware never does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)  # works for both scope types (Request asserts http)
        user = identity(conn.cookies)
        # Streamlit reads the identity only from a socket whose Origin is the cookie's origin: refuse a socket from
        # another origin (a proxy rewriting Host, a second hostname) rather than run it anonymously. No Origin at
        # all (not a browser) is let in, as Streamlit does; the script then sees st.user.is_logged_in False.
        origin = conn.headers.get("origin")
        if user is not None and (scope["type"] == "http" or origin in (None, user["origin"])):
            scope.setdefault("state", {})["user"] = user  # your own routes can read request.state.user
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Close BEFORE accepting: the handshake fails with HTTP 403 and no Streamlit session is created.
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if scope["method"] in ("GET", "HEAD") and not scope["path"].startswith("/_stcore/"):
            # A refused websocket cannot render an st.login button, so a person opening a page goes to log in.
            response = RedirectResponse("/login", status_code=303)
        else:
            response = PlainTextResponse("authentication required", status_code=401)  # fetch/API calls
        await response(scope, receive, send)


async def login(request: Request) -> Response:
    """Start the flow st.login() starts: /auth/login with a fresh provider token (it expires in 2 minutes)."""
    if identity(request.cookies) is not None:
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(generate_login_redirect_url("default"), status_code=303)


@asynccontextmanager
async def require_auth_settings(_app: App) -> AsyncIterator[None]:
    """Refuse to START (importing stays possible for tools and tests): a login without a provider is no login."""
    missing = [key for key in ("client_id", "client_secret", "server_metadata_url") if not AUTH[key]]
    if missing or len(AUTH["cookie_secret"]) < 32:
        raise RuntimeError(
            "Set OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_SERVER_METADATA_URL, OIDC_REDIRECT_URI and "
            f"ST_AUTH_COOKIE_SECRET (32+ random characters) before starting the app (missing: {missing or 'secret'})."
        )
    yield


app = App(
    HERE / "ui.py",
    secrets={"auth": AUTH},  # merged when the server starts; replaces any [auth] of a secrets.toml
    lifespan=require_auth_settings,
    routes=[Route("/login", login, methods=["GET"])],
    middleware=[Middleware(OIDCGuard)],
)
