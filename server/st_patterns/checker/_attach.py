"""Which app a middleware is attached to, and whether Streamlit's traffic can pass through that app.

A guard on a FastAPI app that is itself mounted at /api inside st.App never sees /_stcore/stream, so the
websocket rules must not blame it. Anything this module cannot resolve counts as facing Streamlit.
"""

from __future__ import annotations

import ast

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context


def sub_app_only(ctx: Context, owner: ast.AST) -> bool:
    """``owner`` (a function or class implementing middleware) is only ever attached to mounted sub-apps."""
    targets = _targets(ctx, owner)
    return bool(targets) and all(_is_mounted_sub_app(ctx, t) for t in targets)


def _targets(ctx: Context, owner: ast.AST) -> list[ast.expr]:
    """The app expressions the middleware is added to (``X`` in ``X.add_middleware(M)``, ``@X.middleware``...)."""
    name = getattr(owner, "name", None)
    found: list[ast.expr] = []
    if isinstance(owner, ast.FunctionDef | ast.AsyncFunctionDef):
        for decorator in owner.decorator_list:
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
                if decorator.func.attr == "middleware":
                    found.append(decorator.func.value)
    if name is None:
        return found
    for call in ctx.memo("calls_by_arg_name", lambda: _calls_by_arg_name(ctx)).get(name, []):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "add_middleware":
            found.append(func.value)
        elif isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "middleware":
            found.append(func.func.value)  # app.middleware("http")(guard)
        elif u.call_tail(call) == "Middleware" or u.kwarg(call, "dispatch") is not None:
            app = _app_taking_middleware(ctx, call)
            if app is None:
                return []  # a middleware list we cannot place: assume it faces Streamlit
            found.append(app)
    # Guard(app): the wrapped app is wherever this call ends up (Mount("/api", Guard(router)) guards /api only)
    found += ctx.memo("calls_by_callee", lambda: _calls_by_callee(ctx)).get(name, [])
    return found


def _calls_by_callee(ctx: Context) -> dict[str, list[ast.Call]]:
    index: dict[str, list[ast.Call]] = {}
    for call in ctx.calls:
        if isinstance(call.func, ast.Name):
            index.setdefault(call.func.id, []).append(call)
    return index


def _calls_by_arg_name(ctx: Context) -> dict[str, list[ast.Call]]:
    """Calls by the bare names passed to them (``Middleware(Guard)`` is listed under ``Guard``)."""
    index: dict[str, list[ast.Call]] = {}
    for call in ctx.calls:
        for value in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(value, ast.Name):
                index.setdefault(value.id, []).append(call)
    return index


def _app_taking_middleware(ctx: Context, node: ast.AST) -> ast.expr | None:
    """The ``App(...)``/``FastAPI(...)`` call whose ``middleware=`` list holds ``node`` (through a list name too)."""
    current = node
    for _ in range(4):
        parent = ctx.parents.get(current)
        if isinstance(parent, ast.List | ast.Tuple | ast.Starred):
            current = parent
            continue
        if isinstance(parent, ast.keyword) and parent.arg == "middleware":
            call = ctx.parents.get(parent)
            return call if isinstance(call, ast.Call) else None
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            listed = parent.targets[0].id
            for call in ctx.calls_with_kwarg("middleware"):
                value = u.kwarg(call, "middleware")
                if isinstance(value, ast.Name) and value.id == listed:
                    return call
        return None
    return None


def _is_mounted_sub_app(ctx: Context, app: ast.expr) -> bool:
    """``app`` (a name or the call building it) is mounted under another app and does not host Streamlit."""
    if isinstance(app, ast.Call):
        if id(app) in ctx.st_app_ids:
            return False
        if id(app) in _mounted(ctx)[1]:
            return True
        parent = ctx.parents.get(app)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            app = parent.targets[0]
        else:
            return False
    if not isinstance(app, ast.Name):
        return False
    value = ctx.unwrap(app)
    if isinstance(value, ast.Call) and id(value) in ctx.st_app_ids:
        return False
    names, _ = _mounted(ctx)
    return app.id in names and app.id not in _streamlit_hosts(ctx)


def _mounted(ctx: Context) -> tuple[set[str], set[int]]:
    """Names and call nodes used as the app of a Mount/``.mount`` or as a Route endpoint."""

    def compute() -> tuple[set[str], set[int]]:
        names: set[str] = set()
        calls: set[int] = set()
        apps = [app for _, app in ctx.mounts]
        apps += [e for c in ctx.calls if u.call_tail(c) == "Route" and (e := u.arg(c, 1, "endpoint")) is not None]
        for app in apps:
            if isinstance(app, ast.Name):
                names.add(app.id)
            elif isinstance(app, ast.Call):
                calls.add(id(app))
        return names, calls

    return ctx.memo("mounted_apps", compute)


def _streamlit_hosts(ctx: Context) -> set[str]:
    """Names of apps that mount an st.App (``X.mount(p, st_app)`` or ``X = FastAPI(routes=[Mount(p, st_app)])``)."""

    def compute() -> set[str]:
        hosts: set[str] = set()
        for mount, app in ctx.mounts:
            target = ctx.unwrap(app)
            if not (isinstance(target, ast.Call) and id(target) in ctx.st_app_ids):
                continue
            if isinstance(mount.func, ast.Attribute) and mount.func.attr == "mount":
                base = mount.func.value
                hosts |= {base.id} if isinstance(base, ast.Name) else set()
                continue
            node: ast.AST = mount
            while (parent := ctx.parents.get(node)) is not None and not isinstance(parent, ast.stmt):
                node = parent
            if isinstance(parent, ast.Assign):
                hosts |= {t.id for t in parent.targets if isinstance(t, ast.Name)}
        return hosts

    return ctx.memo("streamlit_hosts", compute)
