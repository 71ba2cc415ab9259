"""API-key or cookie guard. Streamlit's internal endpoints get a 401, pages get a redirect."""

import hmac
from urllib.parse import quote

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse


class KeyGuard:
    def __init__(self, app, api_key: str, cookie: str = "ops_key") -> None:
        self.app = app
        self.api_key = api_key
        self.cookie = cookie

    def _authorised(self, conn: HTTPConnection) -> bool:
        offered = conn.headers.get("x-api-key") or conn.cookies.get(self.cookie) or ""
        return bool(self.api_key) and hmac.compare_digest(offered, self.api_key)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        path = conn.url.path
        if path in ("/_stcore/health", "/signin") or self._authorised(conn):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if path.startswith("/_stcore/"):
            await JSONResponse({"detail": "not authenticated"}, status_code=401)(scope, receive, send)
            return
        await RedirectResponse(f"/signin?next={quote(path)}", status_code=303)(scope, receive, send)
