"""IP allow-list rules: CIDR strings compared as text, and client addresses taken from a spoofable header."""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._middleware import guard_signals
from st_patterns.checker.models import Finding

IP_STRING_MEMBERSHIP = Rule(
    id="ip-string-membership",
    severity="error",
    title="IP allow-list checked by string membership",
    explanation=(
        "`client_ip in {'10.0.0.0/8', '127.0.0.1'}` compares text: a CIDR string never equals an address, so "
        "every client of that network is refused (or, in a deny-list, let in). IPv6 loopback '::1' is "
        "another address string that is easy to forget."
    ),
    fix=(
        "Parse once and test containment: `ALLOWED = [ipaddress.ip_network(n) for n in ('10.0.0.0/8', "
        "'127.0.0.1/32', '::1/128')]` and `ip = ipaddress.ip_address(host)`; `allowed = any(ip in net for "
        "net in ALLOWED)` (catch ValueError for hosts that are not addresses)."
    ),
    see_pattern="middleware_ip_whitelist",
)
XFF_TRUSTED_BLINDLY = Rule(
    id="xff-trusted-blindly",
    severity="error",
    title="X-Forwarded-For read without a trusted-proxy check",
    explanation=(
        "Any client can send X-Forwarded-For: 10.0.0.1. Reading it without first checking that the direct "
        "peer is your own proxy lets anyone pick the address an IP guard sees. Error inside a guard, "
        "warning elsewhere (logging a spoofable value is only misleading). Note that uvicorn already "
        "rewrites scope['client'] from X-Forwarded-For for peers in --forwarded-allow-ips (127.0.0.1 by "
        "default)."
    ),
    fix=(
        "Believe the header only from your proxy: `peer = ipaddress.ip_address(scope['client'][0])`; `if "
        "any(peer in net for net in TRUSTED_PROXIES): host = xff.split(',')[-1].strip()` else `host = "
        "str(peer)`. Or drop the header code and run uvicorn with `--forwarded-allow-ips=<proxy ip>`."
    ),
    see_pattern="middleware_ip_whitelist",
)
RULES = [IP_STRING_MEMBERSHIP, XFF_TRUSTED_BLINDLY]

_FORWARD_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "http_x_forwarded_for", "http_x_real_ip"})
_TRUST_WORDS = frozenset({"trusted", "trust", "proxy", "proxies"})
_MAX_DEPTH = 4
_COPIES = frozenset({"set", "frozenset", "list", "tuple", "sorted"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _string_membership(ctx)
    yield from _forwarded_for(ctx)


def _string_membership(ctx: Context) -> Iterator[Finding]:
    for compare in ctx.compares:
        for op, right in zip(compare.ops, compare.comparators, strict=True):
            if not isinstance(op, ast.In | ast.NotIn):
                continue
            cidrs = _cidrs(ctx, right, compare)
            if cidrs:
                yield ctx.finding(
                    IP_STRING_MEMBERSHIP,
                    compare,
                    f"Membership test against strings that include the network {cidrs[0]!r}: an address "
                    "string never equals a CIDR string, so no client from that network matches.",
                )
                break


def _cidrs(ctx: Context, right: ast.expr, compare: ast.Compare) -> list[str]:
    """CIDR strings ``right`` may hold; once per name and scope, since one big set may be tested many times."""

    def compute() -> list[str]:
        return [s for s in _possible_strings(ctx, right, compare, 0) if _is_cidr(s)]

    if isinstance(right, ast.Name):
        return ctx.memo(
            ("cidrs", right.id, id(ctx.enclosing(compare, (ast.FunctionDef, ast.AsyncFunctionDef)))), compute
        )
    if isinstance(right, ast.Attribute) and isinstance(right.value, ast.Name):
        return ctx.memo(("cidrs.", right.value.id, right.attr, id(ctx.enclosing(compare, ast.ClassDef))), compute)
    return compute()


def _is_cidr(text: str) -> bool:
    if "/" not in text:
        return False
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    return True


def _possible_strings(ctx: Context, node: ast.AST, at: ast.AST, depth: int) -> list[str]:
    """Strings the collection ``node`` may hold: literals, names, ``self.attr``, parameter defaults, call sites."""
    if depth > _MAX_DEPTH:
        return []
    literal = u.literal_strings(node)
    if literal is not None:
        return literal
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _COPIES and node.args:
        return _possible_strings(ctx, node.args[0], at, depth + 1)  # set(allowed), frozenset(ALLOWED), ...
    if isinstance(node, ast.Name):
        func = at if isinstance(at, ast.FunctionDef | ast.AsyncFunctionDef) else None
        func = func or ctx.enclosing(at, (ast.FunctionDef, ast.AsyncFunctionDef))
        return ctx.memo(("name_strings", node.id, id(func), depth), lambda: _name_strings(ctx, node, func, depth))
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        cls = ctx.enclosing(at, ast.ClassDef)
        if isinstance(cls, ast.ClassDef):
            return ctx.memo(("attr_strings", node.attr, id(cls), depth), lambda: _attr_strings(ctx, cls, node, depth))
    return []


def _name_strings(ctx: Context, node: ast.Name, func: ast.AST | None, depth: int) -> list[str]:
    out: list[str] = []
    for value in ctx.values_of(node):
        out += _possible_strings(ctx, value, value, depth + 1)
    if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        out += _parameter_strings(ctx, node.id, func, depth)
    return out


def _attr_strings(ctx: Context, cls: ast.ClassDef, node: ast.Attribute, depth: int) -> list[str]:
    out: list[str] = []
    for value, where in _attribute_values(cls, node.attr):
        out += _possible_strings(ctx, value, where, depth + 1)
    return out


def _attribute_values(cls: ast.ClassDef, attr: str) -> Iterator[tuple[ast.expr, ast.AST]]:
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                is_self = isinstance(target, ast.Attribute) and target.attr == attr
                if is_self or (isinstance(target, ast.Name) and target.id == attr):
                    yield node.value, node


def _parameter_strings(ctx: Context, name: str, func: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> list[str]:
    """When ``name`` is a parameter of ``func``: its default and its keyword values at call sites."""
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = dict(
        zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults, strict=True)
    )
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    if name not in {a.arg for a in positional + args.kwonlyargs}:
        return []
    out = _possible_strings(ctx, defaults[name], func, depth + 1) if name in defaults else []
    owner = ctx.enclosing(func, ast.ClassDef)
    callee = owner.name if isinstance(owner, ast.ClassDef) and func.name == "__init__" else func.name
    for call in ctx.calls_with_kwarg(name):
        value = u.kwarg(call, name)
        if value is not None and callee in ctx.names(call):
            out += _possible_strings(ctx, value, call, depth + 1)
    return out


def _forwarded_for(ctx: Context) -> Iterator[Finding]:
    for const in ctx.strings:
        header = (u.const_str(const) or "").strip().lower()
        if header not in _FORWARD_HEADERS:
            continue
        parent = ctx.parents.get(const)
        if isinstance(parent, ast.Dict) and const in parent.keys:
            continue  # a header being sent (a client or a test), not read
        if _is_store_key(ctx, const):
            continue  # headers["X-Forwarded-For"] = ...: written (sent on), not read
        if _is_presence_test(ctx, const):
            continue  # "x-forwarded-for" in headers: asks whether a proxy is involved, takes no address from it
        units = _units_reading(ctx, const)
        blind = [unit for unit in units if not _trusts_proxy(ctx, unit)]
        if blind:
            guard = any(guard_signals(ctx, unit)[0] for unit in blind)
            yield ctx.finding(
                XFF_TRUSTED_BLINDLY,
                const,
                f"The client address is taken from the {header!r} header without checking that the request came "
                "from a trusted proxy: any client can send that header and choose the address your code sees.",
                severity="error" if guard else "warning",
            )


def _is_store_key(ctx: Context, const: ast.Constant) -> bool:
    parent = ctx.parents.get(const)
    return isinstance(parent, ast.Subscript) and parent.slice is const and isinstance(parent.ctx, ast.Store)


def _is_presence_test(ctx: Context, const: ast.Constant) -> bool:
    parent = ctx.parents.get(const)
    return (
        isinstance(parent, ast.Compare)
        and parent.left is const
        and all(isinstance(op, ast.In | ast.NotIn) for op in parent.ops)
    )


def _units_reading(ctx: Context, const: ast.Constant) -> list[ast.AST]:
    """The guard-sized scopes that read the header: the one around it, or those using a module constant for it."""
    unit = ctx.unit(const)
    if unit is not None:
        return [unit]
    parent = ctx.parents.get(const)
    if isinstance(parent, ast.Assign):
        names = {t.id for t in parent.targets if isinstance(t, ast.Name)}
        tops = [n for n in ctx.tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)]
        return [top for top in tops if names & ctx.names(top)]
    return []


def _trusts_proxy(ctx: Context, unit: ast.AST) -> bool:
    """The unit talks about trusted proxies, or is called from a top-level scope that does."""
    if ctx.tokens(unit) & _TRUST_WORDS:  # tokens are memoized per unit
        return True
    return getattr(unit, "name", None) in ctx.memo("called_by_trusting", lambda: _called_by_trusting(ctx))


def _called_by_trusting(ctx: Context) -> set[str]:
    names: set[str] = set()
    for top in ctx.tree.body:
        if isinstance(top, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and ctx.tokens(top) & _TRUST_WORDS:
            names |= ctx.names(top) - {top.name}
    return names
