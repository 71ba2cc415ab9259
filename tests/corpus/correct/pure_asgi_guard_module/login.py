import hmac
import os

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from auth import SESSION_COOKIE, open_session

USERS = {"analyst": os.environ.get("ANALYST_PASSWORD", "")}

FORM = """<!doctype html><title>Sign in</title>
<form method="post" action="/login">
  <input name="username" autocomplete="username">
  <input name="password" type="password" autocomplete="current-password">
  <button>Sign in</button>
</form>"""


async def login_form(request: Request) -> HTMLResponse:
    return HTMLResponse(FORM)


async def login_submit(request: Request):
    form = await request.form()
    username = str(form.get("username", ""))
    expected = USERS.get(username, "")
    if not expected or not hmac.compare_digest(str(form.get("password", "")), expected):
        return HTMLResponse(FORM, status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        open_session(username),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
