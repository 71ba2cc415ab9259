"""Find the middleware in a module and guess which of it is a guard (auth, session, IP allow-list).

Guard rules need both: *where* middleware logic lives (BaseHTTPMiddleware ``dispatch``, ``@app.middleware``,
pure ASGI ``__call__``) and *whether* it decides who gets in. The guess is a heuristic on names, strings and
responses; it only has to separate guards from header or cookie decorators, which never refuse a request.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Literal

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._attach import sub_app_only
from st_patterns.checker._context import Context, FunctionNode

AUTH_WORDS = frozenset(
    {
        "auth", "authenticated", "authentication", "authorization", "authorized", "unauthorized", "authenticate",
        "login", "logged", "signin", "session", "sessions", "token", "tokens", "jwt", "bearer", "password",
        "credentials", "credential", "cookie", "cookies", "ip", "ips", "allow", "allowed", "allowlist",
        "whitelist", "whitelisted", "blocklist", "blacklist", "denied", "deny", "forbidden", "apikey",
        "permission", "permissions", "cidr", "trusted",
    }
)  # fmt: skip
IP_WORDS = frozenset({"ip", "ips", "cidr", "whitelist", "allowlist", "network", "networks", "subnet", "subnets"})
AUTH_TEXT = re.compile(
    r"auth|log-?in|sign-?in|session|token|passw|bearer|forbidden|unauthori|not allowed|access denied|"
    r"white-?list|allow-?list|api[-_ ]?key",
    re.IGNORECASE,
)
REFUSAL_STATUS = frozenset({401, 403, 407})
BLOCKING_TAILS = ("Response", "HTTPException", "redirect", "abort")


@dataclass(frozen=True)
class Middleware:
    """Where one middleware's logic lives (``func`` inside ``unit``) and where a finding about it points."""

    kind: Literal["http-only", "asgi"]  # http-only: BaseHTTPMiddleware-based, never sees websockets
    func: FunctionNode
    unit: ast.AST
    report: ast.AST
    guard: bool
    ip_guard: bool
    sub_app_only: bool  # only attached to apps mounted under another one: Streamlit's traffic never passes

    @property
    def name(self) -> str:
        return self.unit.name if isinstance(self.unit, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) else "?"


def middlewares(ctx: Context) -> list[Middleware]:
    """Every middleware in the module, computed once per context."""
    return ctx.memo("middlewares", lambda: _find(ctx))


def streamlit_guards(ctx: Context) -> list[Middleware]:
    """Guards that Streamlit's own requests pass through (or might: unresolved attachment counts)."""
    return [mw for mw in middlewares(ctx) if mw.guard and not mw.sub_app_only]


def guard_names(ctx: Context) -> set[str]:
    """Names read inside guard middleware, plus names read by the functions those guards call."""

    def compute() -> set[str]:
        names: set[str] = set()
        for mw in streamlit_guards(ctx):
            names |= ctx.names(mw.unit)
        for func in ctx.functions:
            if func.name in names and ctx.enclosing(func, ast.ClassDef) is None:
                names |= ctx.names(func)
        return names

    return ctx.memo("guard_names", compute)


def guard_signals(ctx: Context, unit: ast.AST) -> tuple[bool, bool]:
    """``(is_guard, is_ip_guard)``: it can refuse or redirect a request, and it talks about auth or IPs."""
    return ctx.memo(("guard_signals", id(unit)), lambda: _guard_signals(ctx, unit))


def _guard_signals(ctx: Context, unit: ast.AST) -> tuple[bool, bool]:
    tokens = ctx.tokens(unit)
    words = bool(tokens & AUTH_WORDS)
    ip = bool(tokens & IP_WORDS)
    status = bool(tokens & {"401", "403", "407"})
    blocks = status
    for node in ast.walk(unit):
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, int) and not isinstance(value, bool) and value in REFUSAL_STATUS:
                status = blocks = True
            elif isinstance(value, str | bytes):
                text = value.decode("latin-1") if isinstance(value, bytes) else value
                if AUTH_TEXT.search(text) and not isinstance(ctx.parents.get(node), ast.Expr):  # not docstrings
                    words = True
                if text.lower() in ("location", "websocket.close"):
                    blocks = True
        elif isinstance(node, ast.Call):
            tail = u.call_tail(node) or ""
            if tail.endswith(BLOCKING_TAILS):
                blocks = True
        elif isinstance(node, ast.Attribute) and node.attr == "host":
            if isinstance(node.value, ast.Attribute) and node.value.attr == "client":
                ip = words = True
        elif isinstance(node, ast.Subscript) and u.const_str(node.slice) == "client":
            ip = words = True
    return blocks and (words or status), ip


def _find(ctx: Context) -> list[Middleware]:
    found: list[Middleware] = []
    taken: set[tuple[int, int]] = set()  # (function, report site): one finding per place it is attached
    seen_funcs: set[int] = set()

    def add(kind: Literal["http-only", "asgi"], func: FunctionNode, unit: ast.AST, report: ast.AST) -> None:
        if (id(func), id(report)) in taken:
            return
        taken.add((id(func), id(report)))
        seen_funcs.add(id(func))
        guard, ip = guard_signals(ctx, unit)
        found.append(Middleware(kind, func, unit, report, guard, ip, guard and sub_app_only(ctx, unit)))

    for cls in ctx.classes:
        if any(u.refers_to(ctx.qual(base), "BaseHTTPMiddleware", u.ASGI) for base in cls.bases):
            for stmt in cls.body:
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == "dispatch":
                    add("http-only", stmt, cls, cls)
    for func in ctx.functions:
        if any(_is_http_middleware_decorator(d) for d in func.decorator_list):
            add("http-only", func, func, func)
    for call in ctx.calls:
        target = _dispatch_target(ctx, call)
        if target is not None:
            for func in ctx.functions_named(target):
                add("http-only", func, func, call)
    for func in ctx.functions:
        if isinstance(func, ast.AsyncFunctionDef) and id(func) not in seen_funcs and _is_asgi_wrapper(func):
            cls = ctx.enclosing(func, ast.ClassDef)
            add("asgi", func, cls if cls is not None else func, func)
    return found


def _is_http_middleware_decorator(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "middleware"
        and u.const_str(u.arg(node, 0, "middleware_type")) == "http"
    )


def _dispatch_target(ctx: Context, call: ast.Call) -> str | None:
    """Name of the function handed to BaseHTTPMiddleware as ``dispatch=`` (or via ``app.middleware("http")(f)``)."""
    if isinstance(call.func, ast.Call) and _is_http_middleware_decorator(call.func) and call.args:
        first = call.args[0]
        return first.id if isinstance(first, ast.Name) else None
    dispatch = u.kwarg(call, "dispatch")
    if not isinstance(dispatch, ast.Name):
        return None
    mentioned = [call.func, *call.args]
    if any(u.refers_to(ctx.qual(node), "BaseHTTPMiddleware", u.ASGI) for node in mentioned):
        return dispatch.id
    return None


def _is_asgi_wrapper(func: ast.AsyncFunctionDef) -> bool:
    """An ASGI callable that hands ``(scope, receive, send)`` on to another app: middleware, not an endpoint."""
    params = [a.arg for a in func.args.args]
    if "scope" not in params or not ({"receive", "send"} & set(params)):
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and len(node.args) == 3:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id == "scope" and not _is_response_call(node):
                return True
    return False


def _is_response_call(call: ast.Call) -> bool:
    """``await response(scope, receive, send)`` where ``response`` is a Response object, not the wrapped app."""
    name = u.dotted(call.func) or ""
    return "response" in name.lower()


def scope_type_checks(func: FunctionNode) -> list[ast.Compare]:
    """Comparisons of ``scope["type"]`` against ``"http"`` alone (so websocket scopes take the other branch)."""
    found = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        sides = [node.left, node.comparators[0]]
        if not any(_is_scope_type(side) for side in sides):
            continue
        other = sides[1] if _is_scope_type(sides[0]) else sides[0]
        values = [u.const_str(other)] if u.const_str(other) is not None else u.literal_strings(other)
        if values == ["http"]:
            found.append(node)
    return found


def _is_scope_type(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        return u.const_str(node.slice) == "type"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        return u.const_str(node.args[0]) == "type"
    return False


def handles_websocket(ctx: Context, unit: ast.AST) -> bool:
    """The unit mentions websocket scopes at all, so it at least decides what to do with them."""
    return ctx.memo(
        ("handles_websocket", id(unit)),
        lambda: any((u.const_str(c) or "").startswith("websocket") for c in u.strings_in(unit)),
    )
