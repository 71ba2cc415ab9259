"""Pure ASGI gate: checks the auth cookie on page loads and file routes."""

import hmac
import os
from http.cookies import SimpleCookie

from starlette.responses import PlainTextResponse, RedirectResponse

AUTH_COOKIE = "surface_auth"
SECRET = os.environ.get("SURFACE_SECRET", "")


def cookie_from_scope(scope) -> str:
    raw = dict(scope.get("headers") or []).get(b"cookie", b"").decode("latin-1")
    jar = SimpleCookie()
    jar.load(raw)
    morsel = jar.get(AUTH_COOKIE)
    return morsel.value if morsel else ""


class AuthGate:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in ("/_auth/login", "/_stcore/health"):
            await self.app(scope, receive, send)
            return
        if not (SECRET and hmac.compare_digest(cookie_from_scope(scope), SECRET)):
            if path.startswith("/files/"):
                await PlainTextResponse("Authentication required.", status_code=401)(scope, receive, send)
            else:
                await RedirectResponse("/_auth/login", status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)
