"""Static checker: one failing and one passing example per rule, odd inputs, and the reference apps.

Failing examples mark each line a finding must point at with a trailing ``# <-``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from st_patterns.catalog.loader import Catalog
from st_patterns.checker import RULES, RULES_BY_ID, check_file, check_source
from st_patterns.errors import InvalidInput

from checker_examples import FAILING as MORE_FAILING
from checker_examples import PASSING as MORE_PASSING

REPO = Path(__file__).resolve().parent.parent
PATTERN_NAMES = set(Catalog.load().ids())  # a rule's see_pattern must be a real pattern
# Indented like the case bodies below, so textwrap.dedent strips both alike.
HEAD = """
        from pathlib import Path
        from streamlit.starlette import App
        HERE = Path(__file__).resolve().parent
"""

FAILING: dict[str, str] = {
    "ws-unguarded-middleware/subclass": """
        from starlette.middleware.base import BaseHTTPMiddleware as B
        from starlette.responses import PlainTextResponse
        class TokenGuard(B):  # <-
            async def dispatch(self, request, call_next):
                if request.headers.get("authorization") != "Bearer secret":
                    return PlainTextResponse("unauthorized", status_code=401)
                return await call_next(request)
    """,
    "ws-unguarded-middleware/decorator": """
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
        api = FastAPI()
        @api.middleware("http")
        async def only_office(request, call_next):  # <-
            if request.client.host not in ALLOWED:
                return JSONResponse({"detail": "forbidden"}, status_code=403)
            return await call_next(request)
    """,
    "ws-unguarded-middleware/dispatch-kwarg": """
        from starlette.middleware import Middleware
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import RedirectResponse
        async def check_session(request, call_next):
            if "session" not in request.cookies:
                return RedirectResponse("/")
            return await call_next(request)
        middleware = [Middleware(BaseHTTPMiddleware, dispatch=check_session)]  # <-
    """,
    "ws-unguarded-middleware/asgi-http-only": """
        from starlette.responses import PlainTextResponse
        class ApiKeyGuard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] != "http":  # <-
                    await self.app(scope, receive, send)
                    return
                if dict(scope["headers"]).get(b"x-api-key") != b"k":
                    await PlainTextResponse("no", status_code=401)(scope, receive, send)
                    return
                await self.app(scope, receive, send)
    """,
    "ws-unguarded-middleware/parent-hosting-streamlit": HEAD
    + """
        from fastapi import FastAPI
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import PlainTextResponse
        async def require_key(request, call_next):
            if request.headers.get("x-api-key") != KEY:
                return PlainTextResponse("unauthorized", status_code=401)
            return await call_next(request)
        dash = App(HERE / "ui.py")
        parent = FastAPI(lifespan=dash.lifespan())
        parent.add_middleware(BaseHTTPMiddleware, dispatch=require_key)  # <-
        parent.middleware("http")(require_key)  # <-
        parent.mount("/dashboard", dash)
    """,
    "stcore-exempted/module-list": """
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import RedirectResponse
        PUBLIC = ("/login", "/_stcore")  # <-
        class Auth(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                if request.url.path.startswith(PUBLIC) or request.session.get("user"):
                    return await call_next(request)
                return RedirectResponse("/login")
    """,
    "stcore-exempted/inline": """
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["path"].startswith("/_stcore/"):  # <-
                    return await self.app(scope, receive, send)
                if not valid_token(scope):
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await self.app(scope, receive, send)
    """,
    "login-redirect-missing-route/no-route": """
        from starlette.responses import RedirectResponse
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] in ("http", "websocket") and not has_session(scope):
                    await RedirectResponse("/login")(scope, receive, send)  # <-
                    return
                await self.app(scope, receive, send)
    """,
    "login-redirect-missing-route/loop": """
        from starlette.responses import RedirectResponse
        from starlette.routing import Route
        LOGIN = "/auth/login"
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] in ("http", "websocket") and not has_session(scope):
                    await RedirectResponse(url=f"{LOGIN}?next=1")(scope, receive, send)  # <-
                    return
                await self.app(scope, receive, send)
        routes = [Route("/auth/login", login)]
    """,
    "ip-string-membership/literal": """
        def allowed(host):
            return host in {"127.0.0.1", "10.0.0.0/8"}  # <-
    """,
    "ip-string-membership/middleware-kwarg": """
        from starlette.middleware import Middleware
        class IPGuard:
            def __init__(self, app, allowed_ips=()):
                self.app = app
                self.allowed_ips = set(allowed_ips)
            async def __call__(self, scope, receive, send):
                if scope["client"][0] not in self.allowed_ips:  # <-
                    return
                await self.app(scope, receive, send)
        middleware = [Middleware(IPGuard, allowed_ips=["192.168.0.0/16"])]
    """,
    "xff-trusted-blindly/guard": """
        from starlette.responses import PlainTextResponse
        async def ip_guard(request, call_next):
            ip = request.headers.get("X-Forwarded-For", request.client.host).split(",")[0]  # <-
            if ip not in ALLOWED:
                return PlainTextResponse("forbidden", status_code=403)
            return await call_next(request)
    """,
    "reserved-prefix-route": HEAD
    + """
        from starlette.routing import Mount, Route
        from starlette.staticfiles import StaticFiles
        extra = [Mount("/static", app=StaticFiles(directory=HERE / "s"))]  # <-
        app = App(HERE / "ui.py", routes=[Route("/_stcore/metrics", metrics), *extra])  # <-
    """,
    "catch-all-route": HEAD
    + """
        import streamlit as st
        from starlette.routing import Mount, Route
        routes = [Route("/{path:path}", fallback)]  # <-
        routes.append(Mount("/", app=api))  # <-
        app = st.App(HERE / "ui.py", routes=routes)
    """,
    "missing-streamlit-lifespan": HEAD
    + """
        from fastapi import FastAPI
        dashboard = App(HERE / "ui.py")
        app = FastAPI()
        app.mount("/dashboard", dashboard)  # <-
    """,
    "mcp-lifespan-missing/mounted": """
        from fastmcp import FastMCP
        from starlette.applications import Starlette
        from starlette.routing import Mount
        mcp = FastMCP("x")
        mcp_app = mcp.http_app(path="/mcp")
        app = Starlette(routes=[Mount("/", app=mcp_app)])  # <-
    """,
    "mcp-lifespan-missing/inline": """
        from fastapi import FastAPI
        api = FastAPI()
        api.mount("/mcp", mcp.streamable_http_app())  # <-
    """,
    "relative-script-path": """
        import streamlit as st
        from pathlib import Path
        app = st.App("dashboard.py")  # <-
        other = st.App(Path("pages/ui.py"))  # <-
    """,
    "secure-cookie-over-http": """
        async def dispatch(self, request, call_next):
            response = await call_next(request)
            response.set_cookie("visitor", "1", secure=True, httponly=True)  # <-
            return response
        HEADER = (b"set-cookie", b"sid=1; Path=/; Secure; HttpOnly")  # <-
    """,
    "csp-breaks-streamlit": """
        CSP = "default-src 'self'; img-src 'self' data:"  # <-
        POLICY = {  # <-
            "default-src": "'self'",
            "script-src": "'self' 'unsafe-inline'",
        }
        STRICT = (
            "default-src 'none'; script-src 'self' 'unsafe-inline'; "  # <-
            "style-src 'self' 'unsafe-inline'"
        )
    """,
    "self-launching-app": """
        import os
        import streamlit as st
        from pathlib import Path
        app = st.App(__file__)  # <-
        again = st.App(str(Path(os.path.abspath(__file__)).resolve()))  # <-
    """,
    "flask-without-a2wsgi": HEAD
    + """
        from flask import Flask
        from starlette.middleware.wsgi import WSGIMiddleware  # <-
        from starlette.routing import Mount
        flask_app = Flask(__name__)
        app = App(HERE / "ui.py", routes=[Mount("/flask", app=flask_app)])  # <-
    """,
    "django-without-settings": """
        import os
        from django.core.asgi import get_asgi_application
        django_app = get_asgi_application()  # <-
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
    """,
}

PASSING: dict[str, str] = {
    "ws-unguarded-middleware": """
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import PlainTextResponse
        class Headers(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                response.headers["X-Frame-Options"] = "SAMEORIGIN"
                response.set_cookie("seen", "1", secure=request.url.scheme == "https")
                return response
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] not in ("http", "websocket") or authorized(scope):
                    await self.app(scope, receive, send)
                    return
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await PlainTextResponse("unauthorized", status_code=401)(scope, receive, send)
    """,
    "ws-unguarded-middleware/sub-app-only": HEAD
    + """
        from fastapi import FastAPI
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import JSONResponse
        from starlette.routing import Mount
        class ApiToken(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                if request.url.path.startswith("/_stcore") or request.headers.get("authorization") == TOKEN:
                    return await call_next(request)
                return JSONResponse({"detail": "unauthorized"}, status_code=401)
        api = FastAPI()
        api.add_middleware(ApiToken)
        app = App(HERE / "ui.py", routes=[Mount("/api", app=api)])
    """,
    "ws-unguarded-middleware/wrapping-a-mounted-router": HEAD
    + """
        from starlette.responses import PlainTextResponse
        from starlette.routing import Mount, Route, Router
        class Limiter:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] != "http":
                    await self.app(scope, receive, send)
                    return
                if over_budget(scope):
                    await PlainTextResponse("slow down", status_code=429)(scope, receive, send)
                    return
                await self.app(scope, receive, send)
        router = Router(routes=[Route("/ping", ping)])
        app = App(HERE / "ui.py", routes=[Mount("/api", Limiter(router))])
    """,
    "stcore-exempted": """
        from starlette.responses import PlainTextResponse, RedirectResponse
        PUBLIC_PATHS = frozenset({"/login", "/_stcore/health"})
        SKIP_COOKIE = ("/_stcore/", "/static/")
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
                    await self.app(scope, receive, send)
                    return
                if not scope["path"].startswith("/_stcore/"):
                    response = RedirectResponse("/login")
                else:
                    response = PlainTextResponse("authentication required", status_code=401)
                await response(scope, receive, send)
        async def add_cookie(request, call_next):
            response = await call_next(request)
            if not request.url.path.startswith(SKIP_COOKIE):
                response.set_cookie("v", "1")
            return response
    """,
    "login-redirect-missing-route": """
        from starlette.responses import RedirectResponse
        from starlette.routing import Route
        PUBLIC_PATHS = {"/login", "/_stcore/health"}
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["path"] in PUBLIC_PATHS or has_session(scope):
                    await self.app(scope, receive, send)
                    return
                await RedirectResponse("/login?next=/")(scope, receive, send)
        async def after_login(request):
            return RedirectResponse("/dashboard")
        routes = [Route("/login", login, methods=["GET", "POST"])]
    """,
    "login-redirect-missing-route/imported-routes": """
        from auth import auth_routes
        from starlette.responses import RedirectResponse
        from streamlit.starlette import App
        async def guard(request, call_next):
            if "session" not in request.cookies:
                return RedirectResponse("/auth/login")
            return await call_next(request)
        app = App("/srv/ui.py", routes=[*auth_routes])
    """,
    "ip-string-membership": """
        import ipaddress
        ALLOWED = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "::1/128")]
        LOOPBACK = {"127.0.0.1", "::1"}
        def allowed(host):
            ip = ipaddress.ip_address(host)
            return host in LOOPBACK or any(ip in net for net in ALLOWED)
    """,
    "xff-trusted-blindly": """
        import ipaddress
        TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1/32")]
        def client_ip(scope):
            peer = ipaddress.ip_address(scope["client"][0])
            if not any(peer in net for net in TRUSTED_PROXIES):
                return peer
            xff = dict(scope["headers"]).get(b"x-forwarded-for", b"").decode()
            return ipaddress.ip_address(xff.split(",")[-1].strip())
        def probe(client):
            return client.get("/", headers={"X-Forwarded-For": "10.0.0.9"})
        def forward(headers, address):
            headers["X-Forwarded-For"] = address
        def direct_only(request):
            if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
                return False
            return request.client.host == "127.0.0.1"
    """,
    "reserved-prefix-route": HEAD
    + """
        from fastapi import FastAPI
        from starlette.routing import Mount
        from starlette.staticfiles import StaticFiles
        dash = App(HERE / "ui.py", routes=[Mount("/api", app=api), Mount("/assets", app=StaticFiles(directory="a"))])
        parent = FastAPI(lifespan=dash.lifespan())
        parent.mount("/static", StaticFiles(directory="s"))
        parent.mount("/dashboard", dash)
    """,
    "catch-all-route": HEAD
    + """
        from starlette.routing import Mount, Route
        app = App(HERE / "ui.py", routes=[Mount("/api", routes=[Route("/{rest:path}", api_fallback)])])
    """,
    "missing-streamlit-lifespan": HEAD
    + """
        from fastapi import FastAPI
        from starlette.routing import Mount
        dashboard = App(HERE / "ui.py")
        app = FastAPI(lifespan=dashboard.lifespan(), routes=[Mount("/dashboard", app=dashboard)])
    """,
    "mcp-lifespan-missing": HEAD
    + """
        from contextlib import asynccontextmanager
        from starlette.applications import Starlette
        from starlette.routing import Mount
        mcp_app = mcp.http_app(path="/mcp")
        dash = App(HERE / "ui.py")
        @asynccontextmanager
        async def lifespan(app):
            async with mcp_app.lifespan(app), dash.lifespan()(app):
                yield
        app = Starlette(routes=[Mount("/dashboard", app=dash), Mount("/", app=mcp_app)], lifespan=lifespan)
        standalone = mcp.http_app()
    """,
    "relative-script-path": HEAD
    + """
        import os
        a = App(HERE / "ui.py")
        b = App("/srv/app/ui.py")
        c = App(os.path.join(os.path.dirname(__file__), "ui.py"))
    """,
    "secure-cookie-over-http": """
        async def login(request):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie("sid", "1", secure=request.url.scheme == "https")
            return response
        async def remember(request, response):
            if request.url.scheme == "https":
                response.set_cookie("sid", "1", secure=True)
    """,
    "csp-breaks-streamlit": """
        HASHES = compute()
        CSP = "; ".join([
            "default-src 'self'",
            f"script-src 'self' {HASHES}",
            "style-src 'self' 'unsafe-inline'",
            "connect-src 'self'",
        ])
        LOOSE = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"
        OTHER = "img-src 'self'"
        def headers():
            "default-src 'self' alone would break the page; see the policy above."
    """,
    "self-launching-app": HEAD + "        app = App(Path(__file__).parent / 'ui.py')\n",
    "flask-without-a2wsgi": HEAD
    + """
        from a2wsgi import WSGIMiddleware
        from flask import Flask
        from starlette.routing import Mount
        flask_app = Flask(__name__)
        app = App(HERE / "ui.py", routes=[Mount("/flask", app=WSGIMiddleware(flask_app))])
    """,
    "django-without-settings": """
        import os
        from django.conf import settings
        from django.core.asgi import get_asgi_application
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
        first = get_asgi_application()
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["localhost"])
        second = get_asgi_application()
    """,
    "syntax-error": "x = 1\n",
}


FAILING.update(MORE_FAILING)
PASSING.update(MORE_PASSING)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _marked(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if line.rstrip().endswith("# <-")}


def _lines(source: str, rule_id: str) -> set[int]:
    return {f.line for f in check_source(source).findings if f.rule_id == rule_id}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_failing_example_is_reported_on_the_marked_lines(case: str) -> None:
    source = _src(FAILING[case])
    rule_id = case.split("/")[0]
    assert _lines(source, rule_id) == _marked(source)


@pytest.mark.parametrize("case", sorted(PASSING))
def test_passing_example_is_not_reported(case: str) -> None:
    assert _lines(_src(PASSING[case]), case.split("/")[0]) == set()


def test_every_rule_has_a_failing_and_a_passing_example() -> None:
    # rules that need the project's Streamlit release have theirs in test_version_rules.py
    ids = {rule.id for rule in RULES} - {"api-newer-than-streamlit", "starlette-unpinned-for-streamlit"}
    assert {case.split("/")[0] for case in FAILING} | {"syntax-error"} == ids
    assert {case.split("/")[0] for case in PASSING} == ids


def test_rules_are_documented() -> None:
    assert len(RULES_BY_ID) == len(RULES) == 35
    for rule in RULES:
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.severity in ("error", "warning", "info")
        assert len(rule.title) > 10 and len(rule.explanation) > 60 and len(rule.fix) > 30
        assert rule.see_pattern is None or rule.see_pattern in PATTERN_NAMES


def test_findings_carry_fix_pattern_and_position() -> None:
    source = _src(FAILING["stcore-exempted/module-list"])
    finding = next(f for f in check_source(source).findings if f.rule_id == "stcore-exempted")
    assert (finding.severity, finding.line, finding.column) == ("error", 3, 21)
    assert "/_stcore/health" in finding.fix and finding.see_pattern == "middleware_auth"


def test_columns_count_characters_not_bytes() -> None:
    finding = check_source('title = "Übersicht"; app = App(__file__)\n').findings[0]
    assert (finding.rule_id, finding.column) == ("self-launching-app", 28)


def test_routes_grown_with_augmented_assignment_are_seen() -> None:
    source = (
        _src(HEAD) + "routes = []\nroutes += [Route('/static/app.js', js)]\napp = App(HERE / 'ui.py', routes=routes)\n"
    )
    assert _lines(source, "reserved-prefix-route") == {5}


def test_severity_depends_on_context() -> None:
    ip_guard = check_source(_src(FAILING["ws-unguarded-middleware/decorator"])).findings
    assert {f.see_pattern for f in ip_guard if f.rule_id == "ws-unguarded-middleware"} == {"middleware_ip_whitelist"}
    logging_only = 'def log(request):\n    print(request.headers.get("x-real-ip"))\n'
    assert [f.severity for f in check_source(logging_only).findings] == ["warning"]
    with_own_lifespan = _src(FAILING["missing-streamlit-lifespan"]).replace('"ui.py")', '"ui.py", lifespan=ls)')
    assert [f.severity for f in check_source(with_own_lifespan).findings] == ["error"]
    assert [f.severity for f in check_source(_src(FAILING["missing-streamlit-lifespan"])).findings] == ["warning"]


def test_report_counts_and_order() -> None:
    report = check_source(_src(FAILING["relative-script-path"]) + "x = App(__file__)\n", filename="app.py")
    assert report.filename == "app.py"
    assert (report.errors, report.warnings, report.infos, report.ok) == (3, 2, 0, False)  # + two-streamlit-apps x2
    assert [f.line for f in report.findings] == sorted(f.line for f in report.findings)


@pytest.mark.parametrize(
    ("source", "line"), [("def f(:\n    pass\n", 1), ("x = 1\nif x\n", 2), ("a = 'x\x00y'\n", 1), ("(" * 300, 1)]
)
def test_unparsable_source_is_a_finding_not_an_exception(source: str, line: int) -> None:
    report = check_source(source)
    assert [(f.rule_id, f.severity, f.line) for f in report.findings] == [("syntax-error", "error", line)]
    assert not report.ok and report.findings[0].message.startswith("Syntax error")


def test_checked_code_warnings_are_not_printed(recwarn: pytest.WarningsRecorder) -> None:
    report = check_source('path = "C:\\d+\\w"\npattern = "\\d"\n')
    assert report.ok and not [w for w in recwarn if issubclass(w.category, SyntaxWarning | DeprecationWarning)]


def test_empty_source_is_ok() -> None:
    report = check_source("")
    assert report.ok and report.findings == [] and report.errors == 0


def test_huge_source_is_refused_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match="at most 256 KiB"):
        check_source("x = 1\n" * 50_000, filename="big.py")


def test_check_file(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(_src(FAILING["self-launching-app"]), encoding="utf-8")
    report = check_file(app)
    assert report.filename == str(app) and report.errors == 3  # two self-launching Apps, and two Apps
    with pytest.raises(InvalidInput, match="not a file"):
        check_file(tmp_path / "missing.py")
    (tmp_path / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    with pytest.raises(InvalidInput, match="UTF-8"):
        check_file(tmp_path / "latin.py")
    (tmp_path / "big.py").write_bytes(b"#" * (300 * 1024))
    with pytest.raises(InvalidInput, match="256 KiB"):
        check_file(tmp_path / "big.py")


def test_checked_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    check_source(f"open({str(marker)!r}, 'w').write('x')\nimport os\nos._exit(3)\n")
    assert not marker.exists()


def test_checker_imports_no_web_framework() -> None:
    code = (
        "import sys, st_patterns.checker\n"
        "bad = [m for m in ('streamlit', 'fastmcp', 'starlette', 'fastapi', 'click') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env_path = str(REPO / "server")
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": env_path}, timeout=60)


ADVERSARIAL = {
    "exempt-list": "from starlette.middleware.base import BaseHTTPMiddleware as B\nP = ["
    + ",".join(['"/_stcore"'] * 20_000)
    + "]\nclass A(B):\n    async def dispatch(self, request, call_next):\n"
    + "        if request.url.path.startswith(tuple(P)): return await call_next(request)\n"
    + "        return RedirectResponse('/login')\n",
    "header-constant": "H = 'x-forwarded-for'\n"
    + "".join(f"def f{i}(r):\n    return r.headers.get(H)\n" for i in range(3000)),
    "big-allow-list": "ALLOWED = {"
    + ",".join(f'"10.{i // 256}.{i % 256}.0/24"' for i in range(3000))
    + "}\ndef f(ip):\n"
    + "".join(f"    if ip{i} in ALLOWED: pass\n" for i in range(3000)),
    "appended-routes": "import streamlit as st\nr = []\n"
    + "".join(f"r.append(Route('/x{i}', h))\n" for i in range(3000))
    + "app = st.App('/a.py', routes=r)\n" * 30,
}


@pytest.mark.timeout(60)  # a hang guard, not a speed target (benchmarks/bench_check.py measures speed): linear
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))  # takes ~0.1-0.4 s here, the quadratic versions took minutes
def test_big_adversarial_sources_finish(name: str) -> None:
    source = ADVERSARIAL[name]
    assert len(source.encode()) <= 256 * 1024
    report = check_source(source)
    assert report.filename == "<source>" and report.findings


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_a_report(text: str) -> None:
    assert check_source(text).filename == "<source>"


REFERENCE_APPS = sorted(p for p in (REPO / "patterns").glob("*/*.py"))


@pytest.mark.parametrize("path", REFERENCE_APPS, ids=[str(p.relative_to(REPO)) for p in REFERENCE_APPS])
def test_reference_apps_have_no_errors(path: Path) -> None:
    report = check_file(path)
    assert report.errors == 0, [f.model_dump() for f in report.findings]
