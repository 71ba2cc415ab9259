"""Cookie check in front of the dashboard."""

import os

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse

SESSION_COOKIE = "session_token"
VALID_TOKENS = set(filter(None, os.environ.get("DASHBOARD_TOKENS", "").split(",")))
PUBLIC_PATHS = {"/login", "/_stcore/health"}


class CookieAuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path in PUBLIC_PATHS:
            return await call_next(request)
        if request.cookies.get(SESSION_COOKIE) not in VALID_TOKENS:
            return RedirectResponse(url="/login", status_code=303)
        return await call_next(request)
