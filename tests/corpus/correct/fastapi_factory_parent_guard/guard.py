"""HTTP Basic guard for the parent app; browsers resend the credentials on the websocket handshake."""

import base64
import binascii
import hmac

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse

PUBLIC = frozenset({"/health", "/diary/_stcore/health"})


def _credentials(conn: HTTPConnection) -> tuple[str, str] | None:
    scheme, _, encoded = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class BasicAuthGuard:
    def __init__(self, app, username: str, password: str) -> None:
        self.app = app
        self.username = username
        self.password = password

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC:
            return await self.app(scope, receive, send)
        offered = _credentials(HTTPConnection(scope))
        if (
            offered
            and hmac.compare_digest(offered[0], self.username)
            and hmac.compare_digest(offered[1], self.password)
        ):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        response = PlainTextResponse(
            "Authentication required", status_code=401, headers={"WWW-Authenticate": 'Basic realm="diary"'}
        )
        return await response(scope, receive, send)
