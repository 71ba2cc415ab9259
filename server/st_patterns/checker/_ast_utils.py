"""Small ``ast`` helpers shared by the rules: import-aware names, string literals, call arguments.

Everything here is iterative or depth-bounded: the checked source is untrusted and may be deeply nested.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator

STREAMLIT = frozenset({"streamlit", "st"})
ASGI = frozenset({"starlette", "fastapi"})
FLASK = frozenset({"flask"})
DJANGO = frozenset({"django"})

Resolver = Callable[[ast.expr], ast.expr]

_CAMEL = re.compile(r"[a-z0-9]+|[A-Z][a-z0-9]*")


def import_map(nodes: Iterable[ast.Import | ast.ImportFrom]) -> dict[str, str]:
    """Imported name -> dotted origin: ``B`` -> ``starlette.middleware.base.BaseHTTPMiddleware``."""
    origin: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    origin[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    origin[root] = root
        elif isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    origin[alias.asname or alias.name] = f"{module}.{alias.name}"
    return origin


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` as written, or None when the expression is not a plain name/attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualname(node: ast.AST, imports: dict[str, str]) -> str | None:
    """Dotted name with its first part replaced by what it was imported as (``st.App`` -> ``streamlit.App``)."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    origin = imports.get(head)
    if origin is None:
        return name
    return f"{origin}.{rest}" if rest else origin


def refers_to(qual: str | None, tail: str, roots: frozenset[str]) -> bool:
    """True for ``tail`` itself (unresolved) or any ``root....tail`` with an accepted first part."""
    if qual is None:
        return False
    parts = qual.split(".")
    if parts[-1] != tail:
        return False
    return len(parts) == 1 or parts[0] in roots


def call_tail(call: ast.Call) -> str | None:
    """Last name of the called expression: ``Mount`` for ``routing.Mount(...)``, ``mount`` for ``app.mount(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The argument given by position ``index`` or by keyword ``name``."""
    if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return kwarg(call, name)


def const_str(node: ast.AST | None, depth: int = 0, resolve: Resolver | None = None) -> str | None:
    """Value of a string built from literals: constants, bytes, ``+``, f-strings, ``sep.join([...])``.

    f-string holes read ``{}`` unless ``resolve`` maps the name in them to its literal value.
    """
    if node is None or depth > 20:
        return None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
        return None
    if isinstance(node, ast.Name) and resolve is not None:
        value = resolve(node)
        return None if value is node else const_str(value, depth + 1, resolve)
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for part in node.values:
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            text = const_str(inner, depth + 1, resolve) if isinstance(part, ast.Constant) or resolve else None
            pieces.append("{}" if text is None else text)
        return "".join(pieces)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = const_str(node.left, depth + 1, resolve), const_str(node.right, depth + 1, resolve)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        sep = const_str(node.func.value, depth + 1)
        items = literal_strings(node.args[0]) if len(node.args) == 1 else None
        return sep.join(items) if sep is not None and items is not None else None
    return None


def literal_strings(node: ast.AST) -> list[str] | None:
    """Strings of a literal list/tuple/set (``set([...])`` and ``"a,b".split(",")`` too), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _COLLECTION_CALLS:
        return literal_strings(node.args[0]) if len(node.args) == 1 else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split":
        text = const_str(node.func.value)
        sep = const_str(node.args[0]) if node.args else None
        return None if text is None else [s.strip() for s in (text.split(sep) if sep else text.split())]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        values = [const_str(e) for e in node.elts]
        return [v for v in values if v is not None]
    return None


_COLLECTION_CALLS = frozenset({"set", "frozenset", "list", "tuple"})


def name_tokens(name: str) -> Iterator[str]:
    """Lower-case words of an identifier: ``allowedIPs`` / ``ALLOWED_IPS`` -> ``allowed``, ``ips``."""
    for chunk in name.split("_"):
        if chunk.isupper() or chunk.islower():
            if chunk:
                yield chunk.lower()
        else:
            yield from (m.lower() for m in _CAMEL.findall(chunk))


def identifiers(root: ast.AST) -> Iterator[str]:
    """Every identifier spelled under ``root``: names, attributes, arguments, keywords, def/class names."""
    for node in ast.walk(root):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.arg
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name


def tokens_of(root: ast.AST) -> set[str]:
    return {tok for ident in identifiers(root) for tok in name_tokens(ident)}


def strings_in(root: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(root):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            yield node


def names_used(root: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(root) if isinstance(n, ast.Name)}
