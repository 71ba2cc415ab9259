"""The sign-in page: plain HTML with no script at all, so its policy can be strict."""

import hmac
import os

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

COOKIE = "portal_auth"
TOKEN = os.environ.get("PORTAL_TOKEN", "")
LOGIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

FORM = """<!doctype html><title>Portal sign-in</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}</style>
<form method="post"><label>Access token <input name="token" type="password"></label>
<button>Continue</button></form>"""


def token_ok(value: str | None) -> bool:
    return bool(TOKEN) and value is not None and hmac.compare_digest(value, TOKEN)


async def sign_in(request: Request):
    if request.method == "POST":
        form = await request.form()
        if token_ok(str(form.get("token", ""))):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(COOKIE, TOKEN, httponly=True, samesite="strict", secure=request.url.scheme == "https")
            return response
    return HTMLResponse(FORM, headers={"Content-Security-Policy": LOGIN_CSP, "Cache-Control": "no-store"})
