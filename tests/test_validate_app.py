"""validate_app / suggest_probes / probes init on apps written here: a correct login-guarded FastAPI + Streamlit
composition with security headers, and the same guard written as BaseHTTPMiddleware (which never sees the
websocket). The broken one must fail on the websocket probe, naming the pattern to read; the correct one passes.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
from fastmcp import Client

from st_patterns.catalog.contract import ProbeFile
from st_patterns.checker.suggest import suggest_probes

from conftest import st_patterns_cmd, start_server
from sandboxes import require
from serving import stop_process

pytestmark = [pytest.mark.sandbox, pytest.mark.processes]

UI = "import streamlit as st\nst.title('orders')\nst.write('orders-ui-ran')\n"
COMMON = '''\
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from streamlit.starlette import App

TOKEN = "valid-session-token"
OPEN = frozenset({"/login", "/_stcore/health"})

api = FastAPI()


@api.get("/orders")
async def orders() -> dict[str, int]:
    return {"count": 3}


async def login(request: Request) -> Response:
    if request.method == "GET":
        return HTMLResponse('<form method="post"><input name="password" type="password"></form>')
    form = await request.form()
    if form.get("password") != "open-sesame":
        return PlainTextResponse("wrong password", status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie("session", TOKEN, httponly=True, samesite="strict")
    return response


class Headers:
    """Pure ASGI: adds security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)
'''
CORRECT = (
    COMMON
    + '''

class Guard:
    """Pure ASGI: sees http and websocket scopes alike."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN:
            await self.app(scope, receive, send)
            return
        if HTTPConnection(scope).cookies.get("session") == TOKEN:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse("login required", status_code=401)(scope, receive, send)


app = App(
    str(Path(__file__).with_name("ui.py")),
    routes=[Route("/login", login, methods=["GET", "POST"]), Mount("/api", app=api)],
    middleware=[Middleware(Headers), Middleware(Guard)],
)
'''
)
BROKEN = (
    COMMON
    + '''
from starlette.middleware.base import BaseHTTPMiddleware


class Guard(BaseHTTPMiddleware):
    """Looks right, but BaseHTTPMiddleware only ever sees HTTP: the websocket walks past it."""

    async def dispatch(self, request, call_next):
        if request.url.path in OPEN or request.cookies.get("session") == TOKEN:
            return await call_next(request)
        return PlainTextResponse("login required", status_code=401)


app = App(
    str(Path(__file__).with_name("ui.py")),
    routes=[Route("/login", login, methods=["GET", "POST"]), Mount("/api", app=api)],
    middleware=[Middleware(Headers), Middleware(Guard)],
)
'''
)
LOGIN_PROBE = """
[[probe]]
name = "logging in sets the session"
method = "POST"
path = "/login"
form = { password = "open-sesame" }
jar = "session"
expect_status = 303
"""


def _project(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(source)
    (folder / "ui.py").write_text(UI)
    return folder


def _validate(*args: str) -> tuple[int, dict[str, object]]:
    cmd = [*st_patterns_cmd(), "validate", *args, "--sandbox", "bwrap", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_suggestions_follow_what_the_code_does() -> None:
    suggested = suggest_probes(CORRECT)
    names = [p.name for p in suggested.probes]
    assert "page is refused without a session" in names and "websocket is refused without a session" in names
    assert "login route /login answers" in names and "security headers are on the page" in names
    assert "/api/orders answers, not with Streamlit's page" in names
    assert not suggest_probes("from streamlit.starlette import App\napp = App('ui.py')\n").probes
    assert suggested.notes and "jar" in suggested.notes[0]


def test_the_correct_app_passes_and_the_broken_guard_fails_on_the_websocket(tmp_path: Path) -> None:
    require("bwrap")
    code, good = _validate("--app", str(_project(tmp_path / "good", CORRECT)))
    assert code == 0 and good["passed"] is True, good["failures"]
    assert good["probes_from"] == "suggested" and good["skipped"]  # guarded, no login probe: universal skipped
    code, bad = _validate("--app", str(_project(tmp_path / "bad", BROKEN)))
    assert code == 1 and bad["passed"] is False
    failed = {f["name"]: f for f in bad["failures"]}
    assert "websocket is refused without a session" in failed
    assert failed["websocket is refused without a session"]["see_pattern"] == "middleware_auth"
    assert "page is refused without a session" not in failed  # HTTP is guarded; only the websocket leaks


def test_probes_init_writes_a_file_the_user_keeps_and_validate_runs_it_logged_in(tmp_path: Path) -> None:
    require("bwrap")
    project = _project(tmp_path / "kept", CORRECT)
    init = subprocess.run([*st_patterns_cmd(), "probes", "init", str(project)], capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    written = project / "st-patterns-probes.toml"
    parsed = ProbeFile.model_validate(tomllib.loads(written.read_text()))
    assert [p.name for p in parsed.probe] == [p.name for p in suggest_probes(CORRECT).probes]
    again = subprocess.run([*st_patterns_cmd(), "probes", "init", str(project)], capture_output=True, text=True)
    assert again.returncode == 1 and "--force" in again.stderr
    written.write_text(LOGIN_PROBE + written.read_text())  # the user adds the step only they can: credentials
    junit = tmp_path / "app.xml"
    code, report = _validate("--app", str(project), "--probes", str(written), "--junit", str(junit))
    assert code == 0, report["failures"]
    assert report["probes_from"] == "given" and not report["skipped"]
    universal = [c for c in report["dynamic"]["checks"] if c["group"] == "universal"]
    assert any(c["kind"] == "websocket" and c["passed"] for c in universal)  # logged in, the script really runs
    assert "<testsuite" in junit.read_text()


async def test_validate_app_and_suggest_probes_over_mcp(tmp_path: Path) -> None:
    require("bwrap")
    work = tmp_path / "work"
    broken = _project(work / "bad", BROKEN)
    srv = start_server(tmp_path, "--sandbox", "bwrap", "--workspace", str(work))
    try:
        async with Client(srv.mcp_url) as client:
            schema = await client.read_resource("pattern://schema/probes")
            assert "expect_ws" in schema[0].text  # type: ignore[union-attr]
            suggested = (await client.call_tool("suggest_probes", {"path": str(broken)})).structured_content
            assert any(p["expect_ws"] == "refused" for p in suggested["probes"])
            files = {"app.py": BROKEN, "ui.py": UI}
            result = (await client.call_tool("validate_app", {"files": files})).structured_content
        assert result["passed"] is False
        assert any(f["see_pattern"] == "middleware_auth" for f in result["failures"])
    finally:
        stop_process(srv.proc)


RESOURCES = "STATE: dict[str, str] = {}\n"
LIFESPAN_APP = """\
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from streamlit.starlette import App

from resources import STATE


@asynccontextmanager
async def load(app):
    STATE["model"] = "demo-model-7"
    yield {"model": STATE["model"]}
    STATE.clear()


st_app = App(str(Path(__file__).with_name("ui.py")), lifespan=load)
"""
LIFESPAN_UI = "import streamlit as st\nfrom resources import STATE\nst.write('model: ' + STATE['model'])\n"
LIFESPAN_PROBES = """
[[probe]]
name = "the page shows the model the lifespan loaded"
kind = "websocket"
path = "/_stcore/stream"
expect_ws = "runs"
expect_ws_contains = ["model: demo-model-7"]
"""


def _lifespan_project(folder: Path, tail: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(LIFESPAN_APP + tail)
    (folder / "ui.py").write_text(LIFESPAN_UI)
    (folder / "resources.py").write_text(RESOURCES)
    return folder


def test_lifespan_state_reaches_the_ui_and_a_skipped_lifespan_is_caught_on_the_websocket(tmp_path: Path) -> None:
    require("bwrap")
    good = _lifespan_project(tmp_path / "good", "app = st_app\n")
    suggested = suggest_probes((good / "app.py").read_text())
    assert any("lifespan state for the UI: model" == line for line in suggested.seen)
    assert any(p.see_pattern == "core_lifespan_lifecycle" and p.kind == "websocket" for p in suggested.probes)
    probes = good / "probes.toml"
    probes.write_text(LIFESPAN_PROBES)
    code, report = _validate("--app", str(good), "--probes", str(probes))
    assert code == 0, report["failures"]
    wrong = probes.with_name("wrong.toml")
    wrong.write_text(LIFESPAN_PROBES.replace("demo-model-7", "some-other-model"))
    code, report = _validate("--app", str(good), "--probes", str(wrong))
    assert code == 1 and "never rendered 'model: some-other-model'" in report["failures"][0]["actual"]
    # Mounted without the App's lifespan: Streamlit skips load(), the page raises KeyError, still "finished".
    bad = _lifespan_project(tmp_path / "bad", "app = FastAPI()\napp.mount('/dashboard', st_app)\n")
    code, report = _validate("--app", str(bad))
    assert code == 1
    failed = {f["name"]: f for f in report["failures"]}
    ws = failed["the page renders with the lifespan's state (script runs, no exception shown)"]
    assert "raised KeyError" in ws["actual"] and ws["see_pattern"] == "core_lifespan_lifecycle"
    assert "missing-streamlit-lifespan (line 19)" in failed, list(failed)  # the static checker names the cause
    assert "raised KeyError" in failed["websocket runs the script"]["actual"]  # the universal check too
