"""Lifespan rules: a mounted sub-app never gets lifespan events, so its parent must run them for it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from packaging.version import Version

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker.models import Finding

MISSING_ST_LIFESPAN = Rule(
    id="missing-streamlit-lifespan",
    severity="warning",
    title="Mounted st.App without its lifespan on the parent",
    explanation=(
        "Only the root ASGI app receives lifespan events. A mounted st.App then starts its runtime lazily on "
        "the first request (slow first page, no clean shutdown) and silently skips a lifespan= given to "
        "the App: warning, or error when the App has its own lifespan=."
    ),
    fix=(
        "Hand Streamlit's lifespan to the parent: `app = FastAPI(lifespan=st_app.lifespan())`, or enter "
        "`st_app.lifespan()(app)` inside the parent's own lifespan when there are several."
    ),
    see_pattern="mount_streamlit_as_subapp",
)
MCP_LIFESPAN = Rule(
    id="mcp-lifespan-missing",
    severity="error",
    title="FastMCP app mounted without its lifespan",
    explanation=(
        "`mcp.http_app()` needs its lifespan to start the session manager's task group. Mounted (or its "
        "routes reused) without it, every MCP request fails with 500 'Task group is not initialized'."
    ),
    fix=(
        "Keep the app in a variable and run its lifespan from the root: `mcp_app = mcp.http_app(path='/mcp')`; "
        "`Starlette(routes=[..., Mount('/', app=mcp_app)], lifespan=mcp_app.lifespan)`, or nest it in a "
        "combined lifespan: `async with mcp_app.lifespan(app), st_app.lifespan()(app): yield`."
    ),
    see_pattern="route_mcp_server",
)
SUB_APP_LIFESPAN = Rule(
    id="sub-app-lifespan-skipped",
    severity="error",
    title="Mounted sub-app's lifespan or start-up handlers never run",
    explanation=(
        "Only the root ASGI app receives lifespan events. A FastAPI or Starlette app mounted under another one "
        "(`Mount('/api', app=api)`, `parent.mount(...)`, or in st.App's routes=) never runs its own lifespan= or "
        "@on_event('startup') handlers: whatever they set up is missing at the first request."
    ),
    fix=(
        "Run it from the root app's lifespan: `async with api.router.lifespan_context(api): yield` inside the "
        "parent's (or the App's) lifespan, or move the set-up there."
    ),
    see_pattern="mount_fastapi",
)
RULES = [MISSING_ST_LIFESPAN, MCP_LIFESPAN, SUB_APP_LIFESPAN]

LAZY_START = Version("1.56")  # before it, a mounted App without its lifespan never starts its runtime
_MCP_FACTORIES = frozenset({"http_app", "streamable_http_app", "sse_app"})
_ST_LIFESPAN_ATTRS = frozenset({"lifespan"})
_MCP_LIFESPAN_ATTRS = frozenset({"lifespan", "lifespan_context", "session_manager"})
_SUB_LIFESPAN_ATTRS = frozenset({"lifespan", "lifespan_context", "startup", "router"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _streamlit_lifespan(ctx)
    yield from _mcp_lifespan(ctx)
    yield from _sub_app_lifespan(ctx)


def _sub_app_lifespan(ctx: Context) -> Iterator[Finding]:
    """A mounted FastAPI/Starlette app that has lifespan work of its own nobody runs."""
    handlers = {
        u.dotted(d.func.value)
        for f in ctx.functions
        for d in f.decorator_list
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "on_event"
    }
    handlers |= {
        u.dotted(c.func.value)
        for c in ctx.calls
        if isinstance(c.func, ast.Attribute) and c.func.attr == "add_event_handler"
    }
    for mount, app in ctx.mounts:
        if not isinstance(app, ast.Name):
            continue
        value = ctx.unwrap(app)
        if not (isinstance(value, ast.Call) and u.call_tail(value) in ("FastAPI", "Starlette")):
            continue
        own = u.kwarg(value, "lifespan") is not None or u.kwarg(value, "on_startup") is not None
        if not (own or app.id in handlers) or _lifespan_used(ctx, app.id, _SUB_LIFESPAN_ATTRS):
            continue
        yield ctx.finding(
            SUB_APP_LIFESPAN,
            mount,
            f"`{app.id}` is mounted under another app, so its own lifespan / start-up handlers never run: only "
            "the root app receives lifespan events.",
            fix=f"Enter `{app.id}.router.lifespan_context({app.id})` inside the root app's lifespan.",
        )


def _lifespan_used(ctx: Context, name: str, attrs: frozenset[str]) -> bool:
    """``name.lifespan`` (or ``name.router.lifespan_context``...) is referenced anywhere in the module."""
    return name in ctx.attribute_bases(attrs)


def _wrapped_st_app(ctx: Context, node: ast.expr, depth: int = 0) -> tuple[ast.expr, ast.Call] | None:
    """``(st_app expression, its App call)`` when ``node`` is an st.App or wraps one (``Guard(st_app)``)."""
    target = ctx.unwrap(node)
    if not isinstance(target, ast.Call) or depth > 3:
        return None
    if id(target) in ctx.st_app_ids:
        return node, target
    for arg in [*target.args, *(k.value for k in target.keywords)]:
        found = _wrapped_st_app(ctx, arg, depth + 1)
        if found is not None:
            return found
    return None


def _streamlit_lifespan(ctx: Context) -> Iterator[Finding]:
    for mount, app in ctx.mounts:
        found = _wrapped_st_app(ctx, app)
        if found is None:
            continue
        inner, target = found
        if isinstance(inner, ast.Name) and _lifespan_used(ctx, inner.id, _ST_LIFESPAN_ATTRS):
            continue
        own = u.kwarg(target, "lifespan") is not None
        old = ctx.streamlit is not None and ctx.streamlit.oldest is not None and ctx.streamlit.oldest < LAZY_START
        shown = inner.id if isinstance(inner, ast.Name) else "st_app"
        wrapped = inner is not app and ctx.unwrap(app) is not target
        yield ctx.finding(
            MISSING_ST_LIFESPAN,
            mount,
            ("st.App is wrapped in another ASGI callable and mounted" if wrapped else "st.App is mounted")
            + " under a parent app that never runs its lifespan: the Streamlit runtime starts "
            "lazily on the first request"
            + (", and the App's own lifespan= is skipped entirely." if own else " and is not shut down cleanly.")
            + (
                f" On Streamlit {ctx.streamlit.oldest} (which {ctx.streamlit.source} allows) it does not start at all: "
                "/_stcore/health answers 503."
                if old and ctx.streamlit is not None
                else ""
            ),
            severity="error" if own or old else None,
            fix=(
                f"`{shown} = App(...)` first, then `parent = FastAPI(lifespan={shown}.lifespan())` (or enter "
                f"`{shown}.lifespan()(app)` inside the parent's lifespan)."
            ),
        )


def _mcp_lifespan(ctx: Context) -> Iterator[Finding]:
    mcp_names = {
        name
        for name, values in ctx.assigned.items()
        if any(isinstance(v, ast.Call) and _is_mcp_factory(v) for v in values)
    }
    uses: list[tuple[ast.AST, ast.expr]] = [(mount, app) for mount, app in ctx.mounts]
    uses += [
        (call, endpoint)
        for call in ctx.calls
        if u.call_tail(call) in ("Route", "add_route") and (endpoint := u.arg(call, 1, "endpoint")) is not None
    ]
    uses += [
        (attr, attr.value)
        for attr in ctx.attributes
        if attr.attr == "routes" and isinstance(attr.value, ast.Name) and attr.value.id in mcp_names
    ]
    for where, app in uses:
        if isinstance(app, ast.Call) and _is_mcp_factory(app):
            message = "The FastMCP app is built inline where it is mounted, so nothing can run its lifespan"
        elif isinstance(app, ast.Name) and app.id in mcp_names and not _lifespan_used(ctx, app.id, _MCP_LIFESPAN_ATTRS):
            message = f"`{app.id}` (a FastMCP http app) is mounted but `{app.id}.lifespan` is never run"
        else:
            continue
        yield ctx.finding(
            MCP_LIFESPAN,
            where,
            message + ": every MCP request then fails with 500 'Task group is not initialized'.",
        )


def _is_mcp_factory(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in _MCP_FACTORIES
