"""Which functions answer requests: route handlers (decorators, ``Route(...)`` endpoints, ``add_route``) and where
code runs at import time. Rules that care where a call happens (a blocking call in a handler, a CSP on one
route's response, ``uvicorn.run`` at import) share these answers.
"""

from __future__ import annotations

import ast

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, FunctionNode

ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "delete", "patch", "head", "options", "route", "api_route", "websocket"}
)
ROUTE_ADDERS = frozenset({"add_route", "add_api_route", "add_websocket_route", "add_api_websocket_route"})
ASGI_APPS = frozenset({"FastAPI", "APIRouter", "Starlette", "Router"})
WSGI_APPS = frozenset({"Flask", "Blueprint", "Quart"})


def route_handlers(ctx: Context) -> list[FunctionNode]:
    """Functions that answer one route (sync or async), in source order; computed once per module."""
    return ctx.memo("route_handlers", lambda: _route_handlers(ctx))


def route_handler_ids(ctx: Context) -> set[int]:
    return ctx.memo("route_handler_ids", lambda: {id(f) for f in route_handlers(ctx)})


def _route_handlers(ctx: Context) -> list[FunctionNode]:
    found: dict[int, FunctionNode] = {}
    for func in ctx.functions:
        if any(_is_route_decorator(ctx, d) for d in func.decorator_list):
            found[id(func)] = func
    for call in ctx.calls:
        tail = u.call_tail(call)
        if tail in ("Route", "WebSocketRoute") and ctx.is_call(call, tail, u.ASGI):
            endpoint = u.arg(call, 1, "endpoint")
        elif tail in ROUTE_ADDERS and owner_kind(ctx, call.func) != "wsgi":
            endpoint = u.arg(call, 1, "endpoint")
        else:
            continue
        if isinstance(endpoint, ast.Name):
            for func in ctx.functions_named(endpoint.id):
                found[id(func)] = func
    return sorted(found.values(), key=lambda f: (f.lineno, f.col_offset))


def _is_route_decorator(ctx: Context, decorator: ast.expr) -> bool:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return False
    if decorator.func.attr not in ROUTE_DECORATORS:
        return False
    kind = owner_kind(ctx, decorator.func)
    return kind == "asgi" or (kind == "unknown" and not ctx.imports_flask)


def owner_kind(ctx: Context, func: ast.expr) -> str:
    """'asgi' / 'wsgi' / 'unknown': what the object a route is added to was built from."""
    if not isinstance(func, ast.Attribute):
        return "unknown"
    owner = ctx.unwrap(func.value)
    if isinstance(owner, ast.Call):
        tail = u.call_tail(owner)
        if tail in ASGI_APPS:
            return "asgi"
        if tail in WSGI_APPS:
            return "wsgi"
    return "unknown"


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.ops) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    return names == ["__name__"] and "__main__" in [u.const_str(s) for s in sides]


def runs_at_import(ctx: Context, node: ast.AST) -> bool:
    """``node`` executes when the module is imported: not inside a def, a lambda or the ``__main__`` block."""
    child, current = node, ctx.parents.get(node)
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return False
        if is_main_guard(current) and child in getattr(current, "body", []):
            return False
        child, current = current, ctx.parents.get(current)
    return True


def st_app_names(ctx: Context) -> set[str]:
    """Names bound to an ``st.App(...)`` call anywhere in the module (or the linked view)."""

    def compute() -> set[str]:
        ids = ctx.st_app_ids
        return {name for name, values in ctx.assigned.items() if any(id(ctx.unwrap(v)) in ids for v in values)}

    return ctx.memo("st_app_names", compute)


def is_st_app(ctx: Context, node: ast.expr) -> bool:
    """``node`` is an st.App: the call itself, or a name bound to one."""
    target = ctx.unwrap(node)
    if isinstance(target, ast.Call) and id(target) in ctx.st_app_ids:
        return True
    return isinstance(node, ast.Name) and node.id in st_app_names(ctx)
