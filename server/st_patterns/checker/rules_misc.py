"""Browser-side rules: cookies the browser will not send back, and a CSP that blocks Streamlit's own UI."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._handlers import route_handler_ids
from st_patterns.checker.models import Finding

SECURE_COOKIE = Rule(
    id="secure-cookie-over-http",
    severity="warning",
    title="Secure cookie set unconditionally",
    explanation=(
        "Browsers store a `Secure` cookie only from https and send it back only over https. Set "
        "unconditionally, it silently never returns when the app runs on plain http (local dev, an "
        "internal port), so anything that reads it behaves as if it were never set."
    ),
    fix=(
        "Derive the flag from the request: `secure = request.url.scheme == 'https'` (or `scope['scheme'] == "
        "'https'`, or a setting) and pass `secure=secure`."
    ),
    see_pattern="middleware_cookies",
)
CSP_BREAKS = Rule(
    id="csp-breaks-streamlit",
    severity="error",
    title="Content-Security-Policy blocks Streamlit's UI",
    explanation=(
        "Streamlit's page needs inline scripts, inline <style> tags (emotion) and a websocket to "
        "/_stcore/stream. `default-src 'self'` without script-src/style-src 'unsafe-inline' (or nonces/hashes) "
        "leaves a blank or unstyled page, and a connect-src without 'self' or ws:/wss: blocks the websocket "
        "(CSP Level 3 'self' matches same-host ws:/wss: in current browsers)."
    ),
    fix=(
        "Start from `default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data: blob:; font-src 'self' data:` and tighten while watching "
        "the browser console for blocked resources."
    ),
    see_pattern="middleware_security_headers",
)
RULES = [SECURE_COOKIE, CSP_BREAKS]

_COOKIE_SECURE_ATTR = re.compile(r";\s*secure\s*(;|$)", re.IGNORECASE)
_INLINE_OK = ("'unsafe-inline'", "'nonce-", "'sha256-", "'sha384-", "'sha512-", "{}")  # {}: computed at run time
_MAX_CLIMB = 50  # a policy is never built from more pieces; bounds the work on adversarial input
_WS_OK = ("ws:", "wss:", "*", "'self'", "{}")  # CSP Level 3: 'self' matches ws:/wss: on the same host


def check(ctx: Context) -> Iterator[Finding]:
    yield from _secure_cookies(ctx)
    yield from _csp(ctx)


def _https_aware(ctx: Context, node: ast.AST) -> bool:
    """The function around ``node`` looks at the scheme (or the module does, when there is no function)."""
    scope = ctx.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or ctx.tree

    def compute() -> bool:
        if {"https", "scheme", "tls", "ssl"} & ctx.tokens(scope):
            return True
        return any("https" in (u.const_str(c) or "").lower() for c in u.strings_in(scope))

    return ctx.memo(("https_aware", id(scope)), compute)


def _secure_cookies(ctx: Context) -> Iterator[Finding]:
    for call in ctx.calls:
        if u.call_tail(call) != "set_cookie" or not isinstance(call.func, ast.Attribute):
            continue
        secure = u.kwarg(call, "secure")
        if isinstance(secure, ast.Constant) and secure.value is True and not _https_aware(ctx, call):
            yield ctx.finding(
                SECURE_COOKIE,
                call,
                "set_cookie(..., secure=True) regardless of scheme: over plain http the browser drops the cookie "
                "and never sends it back.",
            )
    seen: set[ast.AST] = set()
    for const in ctx.strings:
        text = u.const_str(const) or ""
        if "=" not in text and not isinstance(ctx.parents.get(const), ast.JoinedStr):
            continue
        if not _COOKIE_SECURE_ATTR.search(text):
            continue
        top = ctx.parents[const] if isinstance(ctx.parents.get(const), ast.JoinedStr) else const
        if top not in seen and not _https_aware(ctx, top):
            seen.add(top)
            yield ctx.finding(
                SECURE_COOKIE,
                top,
                "Set-Cookie value carries the Secure attribute regardless of scheme: over plain http the browser "
                "drops the cookie and never sends it back.",
            )


def _csp_text(ctx: Context, const: ast.Constant) -> tuple[ast.AST, str]:
    """The whole policy a fragment belongs to: concatenations, f-strings, ``"; ".join([...])``, directive dicts."""
    top: ast.AST = const
    for _ in range(_MAX_CLIMB):
        parent = ctx.parents.get(top)
        if isinstance(parent, ast.JoinedStr) or (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add)):
            top = parent
        elif isinstance(parent, ast.List | ast.Tuple) and isinstance(ctx.parents.get(parent), ast.Call):
            top = ctx.parents[parent]
        elif isinstance(parent, ast.List | ast.Tuple):
            return parent, ";".join(u.literal_strings(parent) or [])
        elif isinstance(parent, ast.Dict) and const in parent.keys:
            pairs = zip(parent.keys, parent.values, strict=True)
            return parent, ";".join(f"{u.const_str(k) or ''} {u.const_str(v) or ''}" for k, v in pairs)
        else:
            break
    return top, u.const_str(top) or u.const_str(const) or ""


def _directives(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in text.split(";"):
        words = part.lower().split()
        if words:
            out.setdefault(words[0], words[1:])
    return out


def _csp(ctx: Context) -> Iterator[Finding]:
    seen: set[ast.AST] = set()
    for const in ctx.strings:
        if "default-src" not in (u.const_str(const) or "").lower() or isinstance(ctx.parents.get(const), ast.Expr):
            continue  # not a policy, or a docstring talking about one
        top, text = _csp_text(ctx, const)
        if top in seen:
            continue
        seen.add(top)
        if not _reaches_streamlit(ctx, top):
            continue  # one route's own response (a landing or login page), not Streamlit's
        policy = _directives(text)
        default = policy.get("default-src")
        if default is None or not ({"'self'", "'none'"} & set(default)):
            continue
        problems = []
        for kind, why in (("script", "Streamlit's page runs an inline script"), ("style", "emotion injects <style>")):
            sources = policy.get(f"{kind}-src-elem") or policy.get(f"{kind}-src") or default
            if not any(s.startswith(_INLINE_OK) for s in sources):
                problems.append(f"{kind}-src has no 'unsafe-inline' or nonce ({why})")
        connect = policy.get("connect-src") or default
        if not any(s.startswith(_WS_OK) for s in connect):
            problems.append("connect-src allows neither 'self' nor ws:/wss: (the /_stcore/stream websocket)")
        if problems:
            yield ctx.finding(
                CSP_BREAKS,
                top,
                "This Content-Security-Policy breaks Streamlit's UI: " + "; ".join(problems) + ".",
            )


def _reaches_streamlit(ctx: Context, node: ast.AST) -> bool:
    """The policy can end up on Streamlit's responses: set by middleware or unknown code, not only by route handlers.

    Inside a function, it follows that function (and, for a helper, its callers); at module level, the functions
    that read the name it is bound to. Only code proven to serve single routes is let off.
    """
    func = ctx.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    if func is not None:
        return not _serves_routes_only(ctx, func)
    stmt = node
    while ctx.parents.get(stmt) is not None and not isinstance(ctx.parents[stmt], ast.Module):
        stmt = ctx.parents[stmt]
    names = {t.id for t in ast.walk(stmt) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    return not names or any(_read_beyond_routes(ctx, name) for name in names)


def _serves_routes_only(ctx: Context, func: ast.AST, depth: int = 0) -> bool:
    handlers = route_handler_ids(ctx)
    current: ast.AST | None = func
    while current is not None:  # the function or one it is nested in answers a route
        if id(current) in handlers:
            return True
        current = ctx.enclosing(current, (ast.FunctionDef, ast.AsyncFunctionDef))
    name = getattr(func, "name", None)
    if name is None or depth > 3 or ctx.enclosing(func, ast.ClassDef) is not None:
        return False
    callers = [f for f in ctx.functions if f is not func and name in ctx.names(f)]
    return (
        bool(callers)
        and not _read_at_module_level(ctx, name)
        and all(_serves_routes_only(ctx, caller, depth + 1) for caller in callers)
    )


def _read_beyond_routes(ctx: Context, name: str) -> bool:
    readers = [f for f in ctx.functions if name in ctx.names(f)]
    if not readers or _read_at_module_level(ctx, name):
        return True
    return not all(_serves_routes_only(ctx, f) for f in readers)


def _read_at_module_level(ctx: Context, name: str) -> bool:
    """``name`` is read outside every function (e.g. ``Middleware(Headers, csp=POLICY)``)."""

    def compute() -> bool:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                if ctx.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) is None:
                    return True
        return False

    return ctx.memo(("read_at_module_level", name), compute)
