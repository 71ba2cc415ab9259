"""Using st.App's API the way it is not built: middleware classes not wrapped, Starlette methods it lacks, user
files under Streamlit's ``/static/``, ``Request`` built for a websocket scope, non-ASGI things mounted.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._handlers import is_st_app
from st_patterns.checker._middleware import middlewares
from st_patterns.checker.models import Finding

NOT_WRAPPED = Rule(
    id="middleware-not-wrapped",
    severity="error",
    title="middleware= lists a class instead of Middleware(cls)",
    explanation=(
        "`middleware=` takes `Middleware(cls, **options)` entries. A bare class fails at start-up with "
        "TypeError 'cannot unpack non-iterable type object'."
    ),
    fix="`from starlette.middleware import Middleware` and `middleware=[Middleware(AuthMiddleware)]`.",
    see_pattern="middleware_auth",
)
NO_SUCH_METHOD = Rule(
    id="add-middleware-on-app",
    severity="error",
    title="Starlette method called on st.App",
    explanation=(
        "st.App is not a Starlette app: it has no add_middleware, mount, add_route, include_router or middleware "
        "decorator, so these raise AttributeError (instrumentation helpers that call add_middleware, such as "
        "OpenTelemetry's instrument_app, too). Middleware and routes go into the constructor."
    ),
    fix="Pass them to the constructor: `App(script, middleware=[Middleware(Cls)], routes=[Route(...), Mount(...)])`.",
    see_pattern="middleware_security_headers",
)
STATIC_PREFIX = Rule(
    id="static-prefix-reference",
    severity="warning",
    title="User file referenced under Streamlit's /static/",
    explanation=(
        "`/static/` is Streamlit's own frontend prefix. Your files (with server.enableStaticServing) are served "
        "at `/app/static/`, so a manifest, icon or link pointing at `/static/...` gets a 404."
    ),
    fix="Point at `/app/static/<file>` (files in the `static/` folder beside the script), or serve them from a "
    "Mount on a prefix of your own such as `/assets`.",
    see_pattern="mount_static_files",
)
REQUEST_ON_WS = Rule(
    id="request-on-websocket-scope",
    severity="error",
    title="Request(scope) built for every scope in ASGI middleware",
    explanation=(
        "`starlette.requests.Request` asserts an http scope. Built in pure ASGI middleware for every scope, it "
        "raises on Streamlit's websocket, so the UI never connects."
    ),
    fix="Use `HTTPConnection(scope)` (works for http and websocket), or build Request only under "
    "`if scope['type'] == 'http':`.",
    see_pattern="middleware_auth",
)
NON_ASGI = Rule(
    id="mount-non-asgi",
    severity="error",
    title="Something that is not an ASGI app is mounted",
    explanation=(
        "Mount, WSGIMiddleware and st.App expect what they are given to speak their protocol: st.App is ASGI "
        "already (wrapping it in WSGIMiddleware breaks it), and Streamlit's private Server / bootstrap internals "
        "are not an app and change between releases."
    ),
    fix="Mount the App itself (`Mount('/dashboard', app=st_app)`) and start Streamlit only through st.App.",
    see_pattern="mount_streamlit_as_subapp",
)
RULES = [NOT_WRAPPED, NO_SUCH_METHOD, STATIC_PREFIX, REQUEST_ON_WS, NON_ASGI]

_APP_FACTORIES = frozenset({"App", "FastAPI", "Starlette"})
_MISSING_METHODS = frozenset(
    {"add_middleware", "mount", "add_route", "add_api_route", "add_websocket_route", "include_router", "middleware",
     "route", "get", "post", "add_exception_handler", "on_event"}
)  # fmt: skip
_STATIC_URL = re.compile(r"""(^|["'(=\s])/static/[\w.-]""")
_PRIVATE = ("streamlit.web.server.server.Server", "streamlit.web.server.Server", "streamlit.web.bootstrap.run")


def check(ctx: Context) -> Iterator[Finding]:
    yield from _not_wrapped(ctx)
    yield from _missing_methods(ctx)
    yield from _static_prefix(ctx)
    yield from _request_on_ws(ctx)
    yield from _non_asgi(ctx)


def _not_wrapped(ctx: Context) -> Iterator[Finding]:
    for call in ctx.calls_with_kwarg("middleware"):
        if u.call_tail(call) not in _APP_FACTORIES:
            continue
        value = u.kwarg(call, "middleware")
        elements = value.elts if isinstance(value, ast.List | ast.Tuple) else []
        if isinstance(value, ast.Name):
            for bound in ctx.values_of(value):
                elements += bound.elts if isinstance(bound, ast.List | ast.Tuple) else []
        for element in elements:
            if isinstance(element, ast.Name | ast.Attribute) and not _holds_call(ctx, element):
                shown = u.dotted(element) or "Cls"
                yield ctx.finding(
                    NOT_WRAPPED,
                    element,
                    f"`{shown}` is listed bare in middleware=: start-up fails with TypeError 'cannot unpack "
                    "non-iterable type object'.",
                    fix=f"`Middleware({shown})` (from starlette.middleware import Middleware).",
                )


def _holds_call(ctx: Context, node: ast.expr) -> bool:
    """A name bound to ``Middleware(...)`` (fine) rather than to a class (or not bound here at all)."""
    if not isinstance(node, ast.Name):
        return False
    return any(isinstance(v, ast.Call) for v in ctx.values_of(node))


def _missing_methods(ctx: Context) -> Iterator[Finding]:
    for call in ctx.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _MISSING_METHODS and is_st_app(ctx, func.value):
            target, what = func.value, f"`.{func.attr}(...)`"
        elif u.call_tail(call) == "instrument_app" and call.args and is_st_app(ctx, call.args[0]):
            target, what = call.args[0], "instrument_app(...) (it calls add_middleware)"
        else:
            continue
        shown = u.dotted(target) or "st_app"
        yield ctx.finding(
            NO_SUCH_METHOD,
            call,
            f"{what} on `{shown}`, an st.App: App has no such method, this raises AttributeError at start-up.",
        )


def _static_prefix(ctx: Context) -> Iterator[Finding]:
    for const in ctx.strings:
        text = u.const_str(const) or ""
        if "/static/" not in text or not _STATIC_URL.search(text.replace("/app/static/", "")):
            continue  # no URL under /static/ once the right prefix is set aside
        parent = ctx.parents.get(const)
        if isinstance(parent, ast.Expr):
            continue  # a docstring
        if isinstance(parent, ast.Call) and u.call_tail(parent) in ("Mount", "Route", "mount", "StaticFiles"):
            continue  # a route path: reserved-prefix-route says it
        if isinstance(parent, ast.keyword) and parent.arg in ("directory", "path", "packages"):
            continue
        yield ctx.finding(
            STATIC_PREFIX,
            const,
            "This URL points under /static/, Streamlit's own frontend prefix: your file is not there (404). User "
            "files are served at /app/static/.",
        )


def _request_on_ws(ctx: Context) -> Iterator[Finding]:
    for mw in middlewares(ctx):
        if mw.kind != "asgi":
            continue
        for node in ast.walk(mw.func):
            if not (isinstance(node, ast.Call) and ctx.is_call(node, "Request", u.ASGI) and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Name) and first.id == "scope"):
                continue
            if _http_only_here(ctx, node, mw.func):
                continue
            yield ctx.finding(
                REQUEST_ON_WS,
                node,
                f"`Request(scope)` in `{mw.name}` also runs for websocket scopes: Request asserts an http scope, "
                "so Streamlit's websocket fails and the UI never connects.",
            )


def _http_only_here(ctx: Context, node: ast.AST, func: ast.AST) -> bool:
    """Inside ``if scope["type"] == "http":``, or after an early return for every other scope type."""
    child, current = node, ctx.parents.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.If) and _tests_type(current.test, "http") and child in current.body:
            return True
        child, current = current, ctx.parents.get(current)
    body = getattr(func, "body", [])
    for stmt in body:
        if getattr(stmt, "lineno", 0) >= getattr(node, "lineno", 0):
            break
        if isinstance(stmt, ast.If) and _tests_type(stmt.test, "not-http"):
            if any(isinstance(s, ast.Return) for s in stmt.body):
                return True
    return False


def _tests_type(test: ast.expr, want: str) -> bool:
    """``scope["type"] == "http"`` (want "http") or ``!= "http"`` / ``not in ("http",)`` (want "not-http")."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    text = ast.unparse(test.left) + ast.unparse(test.comparators[0])
    if "type" not in text or "http" not in text or "websocket" in text:
        return False
    op = test.ops[0]
    return isinstance(op, ast.Eq | ast.In) if want == "http" else isinstance(op, ast.NotEq | ast.NotIn)


def _non_asgi(ctx: Context) -> Iterator[Finding]:
    for node in ctx.import_nodes:
        if ctx.origin(node) is not None:
            continue
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        if isinstance(node, ast.ImportFrom):
            names += [f"{node.module}.{a.name}" for a in node.names]
        private = next((n for n in names if n in _PRIVATE), None)
        if private and (ctx.mounts or ctx.st_app_calls):
            yield ctx.finding(
                NON_ASGI,
                node,
                f"`{private}` is Streamlit's private server internals: not an ASGI app, and it changes between "
                "releases.",
            )
    for call in ctx.calls:
        if u.call_tail(call) == "WSGIMiddleware" and call.args and is_st_app(ctx, call.args[0]):
            yield ctx.finding(
                NON_ASGI,
                call,
                "st.App is an ASGI app; wrapped in WSGIMiddleware it cannot serve (nor its websocket).",
            )
