"""Bearer/cookie guard for http requests and the Streamlit websocket."""

import hmac
import os

from starlette.requests import Request
from starlette.responses import PlainTextResponse

API_TOKEN = os.environ.get("API_TOKEN", "")
PUBLIC = {"/_stcore/health"}


class TokenMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        offered = request.cookies.get("token") or request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.url.path in PUBLIC or (API_TOKEN and hmac.compare_digest(offered, API_TOKEN)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse("Unauthorized", status_code=401)(scope, receive, send)
