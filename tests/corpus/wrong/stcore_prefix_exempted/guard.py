"""Token guard for the whole app (http and websocket)."""

import hmac
import os

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse

TOKEN = os.environ.get("APP_TOKEN", "")
OPEN_PATHS = {"/login", "/favicon.ico"}


def authorised(conn: HTTPConnection) -> bool:
    offered = conn.cookies.get("app_token", "")
    return bool(TOKEN) and hmac.compare_digest(offered, TOKEN)


class TokenGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        conn = HTTPConnection(scope)
        path = conn.url.path
        if path in OPEN_PATHS or path.startswith("/_stcore") or authorised(conn):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        return await RedirectResponse("/login", status_code=303)(scope, receive, send)
