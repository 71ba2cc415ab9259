"""Login redirect rule: a guard must send people to a login page that exists and that it lets through."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._middleware import Middleware, middlewares
from st_patterns.checker.models import Finding

LOGIN_REDIRECT = Rule(
    id="login-redirect-missing-route",
    severity="error",
    title="Redirect to a login page that is missing or itself guarded",
    explanation=(
        "A guard that redirects to /login needs a route that serves /login, and must let that path "
        "through; otherwise the browser gets Streamlit's page or a 404 instead of a form, or loops until "
        "ERR_TOO_MANY_REDIRECTS."
    ),
    fix=(
        "Serve the login page with a route, e.g. `Route('/login', login, methods=['GET', 'POST'])` in "
        "`st.App(..., routes=[...])`, and exempt exactly that path in the guard."
    ),
    see_pattern="middleware_auth",
)
RULES = [LOGIN_REDIRECT]

_LOGIN_PATH = re.compile(r"(^|/)(log[-_]?in|sign[-_]?in|auth|authenticate|sso|oauth2?)(/|$|\.)", re.IGNORECASE)
_ROUTE_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "route", "api_route"})
_ADD_ROUTE = frozenset({"add_route", "add_api_route", "add_url_rule", "add_websocket_route", "websocket"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _login_redirects(ctx)


def _login_redirects(ctx: Context) -> Iterator[Finding]:
    served = _Served(ctx)
    by_unit = {id(m.unit): m for m in middlewares(ctx)}
    for target, path in _redirect_targets(ctx):
        if not _LOGIN_PATH.search(path):
            continue
        if not served.covers(path):
            yield ctx.finding(
                LOGIN_REDIRECT,
                target,
                f"Redirects to {path!r}, but no route in this file serves that path: the browser gets "
                "Streamlit's app page or a 404 instead of a login form.",
            )
            continue
        mw = by_unit.get(id(ctx.unit(target)))
        if mw is not None and not _exempts(ctx, mw, target, path):
            yield ctx.finding(
                LOGIN_REDIRECT,
                target,
                f"Guard `{mw.name}` redirects to {path!r} but does not let {path!r} through itself: the login "
                "page is redirected again and the browser loops (ERR_TOO_MANY_REDIRECTS).",
                fix=(
                    f"Before checking credentials: `if scope['path'] in {{{path!r}, '/_stcore/health'}}: "
                    "return await self.app(scope, receive, send)` (or `return await call_next(request)`)."
                ),
            )


def _redirect_targets(ctx: Context) -> Iterator[tuple[ast.expr, str]]:
    """``(node, path)`` of every literal redirect: RedirectResponse/redirect(url) and Location headers."""
    candidates: list[ast.expr] = []
    for call in ctx.calls:
        if u.call_tail(call) in ("RedirectResponse", "redirect"):
            target = u.arg(call, 0, "url")
            if target is not None:
                candidates.append(target)
    for const in ctx.strings:
        if (u.const_str(const) or "").lower() != "location":
            continue
        parent = ctx.parents.get(const)
        if isinstance(parent, ast.Dict) and const in parent.keys:
            candidates.append(parent.values[parent.keys.index(const)])
        elif isinstance(parent, ast.Tuple) and len(parent.elts) == 2 and parent.elts[0] is const:
            candidates.append(parent.elts[1])
    for node in candidates:
        text = u.const_str(node, resolve=ctx.unwrap)
        if text and text.startswith("/") and not text.startswith("//"):
            yield node, re.split(r"[?#]", text, maxsplit=1)[0] or "/"


def _template(path: str) -> re.Pattern[str]:
    """``/users/{id}`` -> a regex matching concrete paths (``{rest:path}`` spans segments)."""
    pattern = re.sub(r"\\\{[^}]*:path\\\}", ".*", re.escape(path))
    return re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern))


class _Served:
    """What URL paths the module visibly serves: route paths, mount prefixes, router prefixes.

    ``unknown`` when routes come from elsewhere (an imported router or route list): then nothing is reported.
    """

    def __init__(self, ctx: Context) -> None:
        self.exact: set[str] = set()
        self.templates: list[re.Pattern[str]] = []
        self.prefixes: set[str] = set()
        self.unknown = False
        for call in ctx.calls:
            tail = u.call_tail(call)
            path = u.const_str(u.arg(call, 0, "path"))
            if tail in ("Route", "WebSocketRoute") or tail in _ADD_ROUTE:
                self._add_route(path)
            elif tail in ("Mount", "mount"):
                self.prefixes |= {_norm(path)} if path is not None else set()
            elif tail in _ROUTE_VERBS and isinstance(call.func, ast.Attribute) and path and path.startswith("/"):
                self._add_route(path)
            elif tail in ("include_router", "register_blueprint", "APIRouter", "Blueprint"):
                prefix = u.const_str(u.kwarg(call, "prefix") or u.kwarg(call, "url_prefix"))
                if prefix:
                    self.prefixes.add(_norm(prefix))
                elif tail in ("include_router", "register_blueprint"):
                    router = call.args[0] if call.args else None
                    self.unknown |= not (isinstance(router, ast.Name) and ctx.values_of(router))
        for call in ctx.calls_with_kwarg("routes"):
            self.unknown |= _opaque(ctx, u.kwarg(call, "routes"))
        self.exact |= ctx.project_paths  # project mode: what the other modules serve
        self.prefixes |= ctx.project_paths

    def _add_route(self, path: str | None) -> None:
        if not path:
            return
        if "{" in path:
            self.templates.append(_template(_norm(path) or "/"))
        else:
            self.exact.add(_norm(path) or "/")

    def covers(self, path: str) -> bool:
        if self.unknown or "" in self.prefixes:
            return True
        norm = _norm(path) or "/"
        parts = norm.split("/")
        heads = {"/".join(parts[:i]) for i in range(2, len(parts) + 1)}
        tails = {"/" + "/".join(parts[i:]) for i in range(1, len(parts))}
        if norm in self.exact or tails & self.exact or heads & self.prefixes:
            return True
        return any(t.fullmatch(norm) for t in self.templates)


def served_paths(ctx: Context) -> set[str]:
    """Literal paths and prefixes this module serves (project mode shares them with its siblings)."""
    served = _Served(ctx)
    return (served.exact | served.prefixes) - {""}


def _opaque(ctx: Context, routes: ast.expr | None, depth: int = 0) -> bool:
    """A ``routes=`` value with parts this module does not define (``routes=auth.routes``, ``[*imported]``)."""
    if routes is None or depth > 3:
        return False
    if isinstance(routes, ast.Name):
        values = ctx.values_of(routes)
        return not values or any(_opaque(ctx, v, depth + 1) for v in values[:3])
    if isinstance(routes, ast.List | ast.Tuple):
        for element in routes.elts:
            if isinstance(element, ast.Starred):
                if _opaque(ctx, element.value, depth + 1):
                    return True
            elif not isinstance(element, ast.Call):
                return True
        return False
    if isinstance(routes, ast.BinOp):
        return _opaque(ctx, routes.left, depth + 1) or _opaque(ctx, routes.right, depth + 1)
    return True


def _norm(text: str) -> str:
    return text.strip("^$").rstrip("/")


@dataclass(frozen=True)
class _UnitIndex:
    """Where a guard's strings and names are, so each redirect is checked without re-walking the guard."""

    strings: dict[str, list[ast.AST]]  # normalized path text -> constants written in the guard
    names: dict[str, list[ast.Name]]  # name -> its uses in the guard
    via_name: dict[str, set[str]]  # normalized path text -> names whose value (or helper function) holds it


def _unit_index(ctx: Context, unit: ast.AST) -> _UnitIndex:
    def compute() -> _UnitIndex:
        strings: dict[str, list[ast.AST]] = {}
        names: dict[str, list[ast.Name]] = {}
        via_name: dict[str, set[str]] = {}
        for node in ast.walk(unit):
            if isinstance(node, ast.Name):
                names.setdefault(node.id, []).append(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                strings.setdefault(_norm(u.const_str(node) or ""), []).append(node)
        for name in names:
            roots: list[ast.AST] = [*ctx.assigned.get(name, [])]
            roots += [f for f in ctx.functions_named(name) if ctx.unit(f) is None]
            for root in roots:
                for const in u.strings_in(root):
                    via_name.setdefault(_norm(u.const_str(const) or ""), set()).add(name)
        return _UnitIndex(strings, names, via_name)

    return ctx.memo(("unit_index", id(unit)), compute)


def _exempts(ctx: Context, mw: Middleware, target: ast.expr, path: str) -> bool:
    """The guard mentions the login path (or a prefix of it) somewhere besides the redirect itself."""
    index = _unit_index(ctx, mw.unit)
    inside = set(ast.walk(target))
    norm = _norm(path)
    parts = norm.split("/")
    candidates = {"/".join(parts[:i]) for i in range(2, len(parts) + 1)}

    def used_outside(name: str) -> bool:
        return any(n not in inside for n in index.names.get(name, []))

    for text in candidates:
        if any(n not in inside for n in index.strings.get(text, [])):
            return True
        if any(used_outside(name) for name in index.via_name.get(text, ())):
            return True
    # A name holding the login path (LOGIN_URL) that the guard also reads elsewhere, e.g. in a comparison.
    return any(used_outside(n.id) for n in inside if isinstance(n, ast.Name))
