"""Guard rules: middleware that lets Streamlit's websocket through, or exempts all of /_stcore."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._middleware import (
    Middleware,
    guard_names,
    handles_websocket,
    scope_type_checks,
    streamlit_guards,
)
from st_patterns.checker.models import Finding

_ASGI_GUARD_FIX = (
    "Write the guard as pure ASGI middleware that checks both scope types: `class Guard:` with "
    "`async def __call__(self, scope, receive, send)`: `if scope['type'] in ('http', 'websocket') and not "
    "allowed(scope):` refuse (http: send a 401/403 or redirect response; websocket: `await send({'type': "
    "'websocket.close', 'code': 1008})`), then `await self.app(scope, receive, send)`. Register it with "
    "`middleware=[Middleware(Guard)]`."
)

WS_UNGUARDED = Rule(
    id="ws-unguarded-middleware",
    severity="error",
    title="Guard middleware never sees Streamlit's websocket",
    explanation=(
        "BaseHTTPMiddleware (a subclass with dispatch(), or @app.middleware('http')) only runs for http "
        "scopes. Streamlit's UI talks over the websocket /_stcore/stream, so an auth, session or IP guard "
        "built that way is bypassed: anyone can open the websocket and run the script. Pure ASGI middleware "
        "that passes non-http scopes straight through has the same hole."
    ),
    fix=_ASGI_GUARD_FIX,
    see_pattern="middleware_auth",
)
STCORE_EXEMPTED = Rule(
    id="stcore-exempted",
    severity="error",
    title="Guard exempts all of /_stcore",
    explanation=(
        "Exempting the /_stcore prefix also exempts /_stcore/stream, the websocket through which the "
        "script runs, so the guard protects nothing but the HTML shell. Only /_stcore/health (for load "
        "balancer probes) needs to be public."
    ),
    fix=(
        "Exempt exact paths only: `PUBLIC_PATHS = {'/_stcore/health', '/login'}` and `if scope['path'] in "
        "PUBLIC_PATHS:`; never `startswith('/_stcore')`."
    ),
    see_pattern="middleware_auth",
)
RULES = [WS_UNGUARDED, STCORE_EXEMPTED]

_STCORE_PREFIX = re.compile(r"^\^?(/[\w.-]+)*/?_stcore(/|/stream/?)?(\*|\.\*)?\$?$")  # /dashboard/_stcore too
_EXEMPT_CALLS = frozenset({"startswith", "match", "search", "fullmatch", "compile"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _unguarded_websocket(ctx)
    yield from _stcore_exempted(ctx)


def _pattern_for(mw: Middleware) -> str:
    return "middleware_ip_whitelist" if mw.ip_guard else "middleware_auth"


def _unguarded_websocket(ctx: Context) -> Iterator[Finding]:
    for mw in streamlit_guards(ctx):
        if mw.kind == "http-only":
            yield ctx.finding(
                WS_UNGUARDED,
                mw.report,
                f"`{mw.name}` is a guard built on BaseHTTPMiddleware, which only sees http requests: the "
                "websocket /_stcore/stream bypasses it, so an unauthenticated client can still run the script "
                "and read its output.",
                see_pattern=_pattern_for(mw),
            )
        elif not handles_websocket(ctx, mw.unit):
            for compare in scope_type_checks(mw.func):
                yield ctx.finding(
                    WS_UNGUARDED,
                    compare,
                    f"`{mw.name}` only guards scope type 'http': websocket scopes (Streamlit's /_stcore/stream) "
                    "take the other branch and reach the app unchecked.",
                    see_pattern=_pattern_for(mw),
                )


def _stcore_exempted(ctx: Context) -> Iterator[Finding]:
    for const in ctx.strings:
        text = u.const_str(const) or ""
        if not _STCORE_PREFIX.match(text):
            continue
        parent = ctx.parents.get(const)
        in_exemption = (
            isinstance(parent, ast.List | ast.Tuple | ast.Set | ast.Dict | ast.Compare)
            or (isinstance(parent, ast.Call) and u.call_tail(parent) in _EXEMPT_CALLS)
            or isinstance(parent, ast.keyword)
        )
        if in_exemption and _reaches_guard(ctx, const) and _lets_through(ctx, const):
            yield ctx.finding(
                STCORE_EXEMPTED,
                const,
                f"{text!r} is exempted from the guard: that includes the websocket /_stcore/stream, so the "
                "Streamlit script runs for anyone who connects to it directly.",
            )


def _lets_through(ctx: Context, node: ast.AST) -> bool:
    """Follow what the code does when the prefix matches: hand the request on (an exemption), or refuse it.

    In an ``if`` (or ``x if test else y``) test, the branch taken on a match decides; elsewhere the string
    exempts unless the statement sits in a branch that never hands the request on (the refusal path already,
    e.g. choosing 401 over a redirect for /_stcore/ paths).
    """
    negated = False
    child, parent = node, ctx.parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            negated = not negated
        elif isinstance(parent, ast.Compare) and any(isinstance(op, ast.NotIn | ast.NotEq) for op in parent.ops):
            negated = not negated
        elif isinstance(parent, ast.IfExp) and child is parent.test:
            chosen = parent.orelse if negated else parent.body
            return any(_passes_on(n) for n in ast.walk(chosen))
        child, parent = parent, ctx.parents.get(parent)
    if not (isinstance(parent, ast.If) and child is parent.test):
        return parent is None or not _in_refusal_branch(ctx, parent)
    branch = parent.orelse if negated else parent.body
    if not branch:
        return True  # the prefix skips the check and falls through to whatever follows: usually the app
    return ctx.memo(
        ("passes_on", id(parent), negated), lambda: any(_passes_on(n) for stmt in branch for n in ast.walk(stmt))
    )


def _in_refusal_branch(ctx: Context, stmt: ast.AST) -> bool:
    """``stmt`` is inside an ``if`` branch that returns without ever handing the request on."""
    child, current = stmt, ctx.parents.get(stmt)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
        if isinstance(current, ast.If) and child is not current.test:
            branch = current.body if child in current.body else current.orelse
            nodes = [n for s in branch for n in ast.walk(s)]
            if any(isinstance(n, ast.Return) for n in nodes) and not any(_passes_on(n) for n in nodes):
                return True
        child, current = current, ctx.parents.get(current)
    return False


def _passes_on(node: ast.AST) -> bool:
    """``call_next(request)`` or ``app(scope, receive, send)``: the guard lets the request reach the app."""
    if not isinstance(node, ast.Call):
        return False
    if u.call_tail(node) in ("call_next", "get_response"):
        return True
    if isinstance(node.func, ast.Call):
        return False  # `await JSONResponse(...)(scope, receive, send)`: a response built inline, not the app
    first = node.args[0] if len(node.args) == 3 else None
    return isinstance(first, ast.Name) and first.id == "scope" and "response" not in (u.dotted(node.func) or "")


def _reaches_guard(ctx: Context, node: ast.AST) -> bool:
    """The string sits in a guard, in a helper a guard calls, or in a module-level value a guard reads."""
    unit = ctx.unit(node)
    guards = streamlit_guards(ctx)
    if unit is not None:
        if id(unit) in ctx.memo("guard_unit_ids", lambda: {id(mw.unit) for mw in guards}):
            return True
        return isinstance(unit, ast.FunctionDef | ast.AsyncFunctionDef) and unit.name in guard_names(ctx)
    stmt = node
    while ctx.parents.get(stmt) is not None and not isinstance(ctx.parents[stmt], ast.Module):
        stmt = ctx.parents[stmt]

    def compute() -> bool:
        assigned = {t.id for t in ast.walk(stmt) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        guard_units = {mw.name for mw in guards}
        return bool(assigned & guard_names(ctx)) or bool(ctx.names(stmt) & guard_units)

    return ctx.memo(("reaches_guard", id(stmt)), compute)
