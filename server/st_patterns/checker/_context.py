"""The parsed module every rule reads, indexed once, and the :class:`Rule` record rules are described by."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar, cast

from st_patterns.checker import _ast_utils as u
from st_patterns.checker.models import Finding, Severity
from st_patterns.projects.linker import Module
from st_patterns.projects.streamlit_version import StreamlitTarget

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
T = TypeVar("T")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks Python's tokenizer counts (not str.splitlines')


@dataclass(frozen=True)
class Rule:
    """What a rule looks for and why; ``severity`` is the usual one (a finding may say otherwise).

    ``local`` rules judge a module by its own code only (statement order, ``__file__``, what runs at import), so
    in a linked view they ignore definitions spliced in from other modules.
    """

    id: str
    severity: Severity
    title: str
    explanation: str
    fix: str
    see_pattern: str | None
    local: bool = False


class Context:
    """One parsed source with the indexes rules share: parents, calls, assignments, st.App calls, mounts.

    >>> ctx = Context(ast.parse("import streamlit as st\\napp = st.App('ui.py')"))
    >>> [ctx.qual(c.func) for c in ctx.calls]
    ['streamlit.App']
    """

    def __init__(self, tree: ast.Module, source: str = "", origins: Mapping[int, Module] | None = None) -> None:
        self.tree = tree
        self.source = source
        self.origins = origins or {}  # project mode: spliced top-level statement -> the module it comes from
        self.project_paths: frozenset[str] = frozenset()  # project mode: URL paths other modules serve
        self.streamlit: StreamlitTarget | None = None  # the Streamlit the project runs on, when known
        self.parents: dict[ast.AST, ast.AST] = {}
        self.calls: list[ast.Call] = []
        self.functions: list[FunctionNode] = []
        self.classes: list[ast.ClassDef] = []
        self.compares: list[ast.Compare] = []
        self.strings: list[ast.Constant] = []
        self.attributes: list[ast.Attribute] = []
        self.import_nodes: list[ast.Import | ast.ImportFrom] = []
        self.assigned: dict[str, list[ast.expr]] = {}
        self._memo: dict[Hashable, object] = {}
        self._index(tree)
        self.imports = u.import_map(self.import_nodes)

    def _index(self, tree: ast.Module) -> None:
        """One iterative pass (ast.walk plus a parent map costs twice as much on big files)."""
        parents = self.parents
        todo: list[ast.AST] = [tree]
        while todo:
            node = todo.pop()
            for field in node._fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST) and not isinstance(item, ast.expr_context):
                            parents[item] = node
                            todo.append(item)
                elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                    parents[value] = node
                    todo.append(value)
            if isinstance(node, ast.Call):
                self.calls.append(node)
            elif isinstance(node, ast.Attribute):
                self.attributes.append(node)
            elif isinstance(node, ast.Constant):
                if isinstance(node.value, str | bytes):
                    self.strings.append(node)
            elif isinstance(node, ast.Compare):
                self.compares.append(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes.append(node)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                self.import_nodes.append(node)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                self._record_assignment(node)
        self.import_nodes.sort(key=lambda n: (n.lineno, n.col_offset))  # a later import rebinds a name

    def _record_assignment(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        if node.value is None or (isinstance(node, ast.AugAssign) and not isinstance(node.op, ast.Add)):
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                self.assigned.setdefault(target.id, []).append(node.value)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Compute once per source: rules ask the same question about a scope many times (big files)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    def tokens(self, node: ast.AST) -> set[str]:
        return self.memo(("tokens", id(node)), lambda: u.tokens_of(node))

    def names(self, node: ast.AST) -> set[str]:
        return self.memo(("names", id(node)), lambda: u.names_used(node))

    # -- names -------------------------------------------------------------------------------------------

    def qual(self, node: ast.AST) -> str | None:
        return u.qualname(node, self.imports)

    def is_call(self, call: ast.Call, tail: str, roots: frozenset[str]) -> bool:
        return u.refers_to(self.qual(call.func), tail, roots)

    def values_of(self, node: ast.AST) -> list[ast.expr]:
        """What a bare name may hold: every expression assigned to it anywhere in the module."""
        return self.assigned.get(node.id, []) if isinstance(node, ast.Name) else []

    def unwrap(self, node: ast.expr) -> ast.expr:
        """Follow a name with exactly one assignment to its value (``a = App(...)``; ``a`` -> the call)."""
        seen = 0
        while isinstance(node, ast.Name) and len(self.assigned.get(node.id, [])) == 1 and seen < 5:
            node = self.assigned[node.id][0]
            seen += 1
        return node

    def functions_named(self, name: str) -> list[FunctionNode]:
        by_name = self.memo("functions_by_name", self._functions_by_name)
        return by_name.get(name, [])

    def _functions_by_name(self) -> dict[str, list[FunctionNode]]:
        by_name: dict[str, list[FunctionNode]] = {}
        for func in self.functions:
            by_name.setdefault(func.name, []).append(func)
        return by_name

    def calls_with_kwarg(self, name: str) -> list[ast.Call]:
        by_kwarg = self.memo("calls_by_kwarg", self._calls_by_kwarg)
        return by_kwarg.get(name, [])

    def _calls_by_kwarg(self) -> dict[str, list[ast.Call]]:
        by_kwarg: dict[str, list[ast.Call]] = {}
        for call in self.calls:
            for keyword in call.keywords:
                if keyword.arg:
                    by_kwarg.setdefault(keyword.arg, []).append(call)
        return by_kwarg

    def attribute_bases(self, attrs: frozenset[str]) -> set[str]:
        """Names ``n`` for which ``n.<attr>`` or ``n.router.<attr>`` appears, for any attr in ``attrs``."""

        def compute() -> set[str]:
            found = set()
            for attr in self.attributes:
                if attr.attr in attrs:
                    base = attr.value
                    if isinstance(base, ast.Attribute) and base.attr == "router":
                        base = base.value
                    if isinstance(base, ast.Name):
                        found.add(base.id)
            return found

        return self.memo(("attribute_bases", attrs), compute)

    # -- structure ---------------------------------------------------------------------------------------

    def enclosing(self, node: ast.AST, kinds: type | tuple[type, ...]) -> ast.AST | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kinds):
            current = self.parents.get(current)
        return current

    def unit(self, node: ast.AST) -> ast.AST | None:
        """The class around ``node`` if any, else its outermost function: the scope a guard lives in."""
        cls = self.enclosing(node, ast.ClassDef)
        if cls is not None:
            return cls
        outer: ast.AST | None = None
        current = self.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        while current is not None:
            outer = current
            current = self.enclosing(current, (ast.FunctionDef, ast.AsyncFunctionDef))
        return outer

    # -- st.App and mounts --------------------------------------------------------------------------------

    @cached_property
    def st_app_calls(self) -> list[ast.Call]:
        return [c for c in self.calls if self.is_call(c, "App", u.STREAMLIT)]

    @cached_property
    def st_app_ids(self) -> set[int]:
        return {id(c) for c in self.st_app_calls}

    @cached_property
    def imports_flask(self) -> bool:
        return any(origin.split(".")[0] == "flask" for origin in self.imports.values())

    @cached_property
    def mounts(self) -> list[tuple[ast.Call, ast.expr]]:
        """``(call, mounted app)`` for ``Mount(path, app)`` and ``parent.mount(path, app)``."""
        found: list[tuple[ast.Call, ast.expr]] = []
        for call in self.calls:
            if self.is_call(call, "Mount", u.ASGI) or (
                isinstance(call.func, ast.Attribute) and call.func.attr == "mount"
            ):
                app = u.arg(call, 1, "app")
                if app is not None:
                    found.append((call, app))
        return found

    def route_elements(self, routes: ast.expr, depth: int = 0) -> list[ast.expr]:
        """Elements of a ``routes=`` value: list literals, names of lists (``append``, ``extend``, ``+=``), a + b."""
        if depth > 5:
            return []
        if isinstance(routes, ast.List | ast.Tuple):
            out: list[ast.expr] = []
            for elt in routes.elts:
                if isinstance(elt, ast.Starred):
                    out.extend(self.route_elements(elt.value, depth + 1))
                else:
                    out.append(elt)
            return out
        if isinstance(routes, ast.BinOp) and isinstance(routes.op, ast.Add):
            return self.route_elements(routes.left, depth + 1) + self.route_elements(routes.right, depth + 1)
        if isinstance(routes, ast.Name):
            out = []
            for value in self.values_of(routes):
                out.extend(self.route_elements(value, depth + 1))
            for call in self.memo("list_growth", self._list_growth).get(routes.id, []):
                if isinstance(call.func, ast.Attribute) and call.func.attr == "extend":
                    out.extend(self.route_elements(call.args[0], depth + 1))
                else:
                    out.append(call.args[-1])
            return out
        return []

    def _list_growth(self) -> dict[str, list[ast.Call]]:
        """``name.append(x)`` / ``insert`` / ``extend`` calls by list name."""
        found: dict[str, list[ast.Call]] = {}
        for call in self.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and call.args:
                if func.attr in ("append", "insert", "extend"):
                    found.setdefault(func.value.id, []).append(call)
        return found

    def route_path(self, call: ast.Call) -> str | None:
        return u.const_str(u.arg(call, 0, "path"))

    def origin(self, node: ast.AST) -> Module | None:
        """The project module a spliced definition comes from (None: this module's own code)."""
        if not self.origins:
            return None
        current: ast.AST | None = node
        while current is not None and self.parents.get(current) is not self.tree:
            current = self.parents.get(current)
        return self.origins.get(id(current)) if current is not None else None

    @cached_property
    def _lines(self) -> list[str]:
        return _NEWLINE.split(self.source)

    def _column(self, line: int, byte_offset: int, source: str | None = None) -> int:
        """1-based character column: ast offsets count UTF-8 bytes, editors count characters."""
        lines = self._lines if source is None else _NEWLINE.split(source)
        if byte_offset == 0 or line > len(lines) or lines[line - 1].isascii():
            return byte_offset + 1
        return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    # -- findings ----------------------------------------------------------------------------------------

    def finding(
        self,
        rule: Rule,
        node: ast.AST,
        message: str,
        *,
        fix: str | None = None,
        severity: Severity | None = None,
        see_pattern: str | None = None,
    ) -> Finding:
        line = max(getattr(node, "lineno", 1) or 1, 1)
        origin = self.origin(node)
        offset = getattr(node, "col_offset", 0) or 0
        return Finding(
            rule_id=rule.id,
            severity=severity or rule.severity,
            file=origin.path if origin is not None else None,
            line=line,
            column=self._column(line, offset, origin.source if origin is not None else None),
            message=message,
            fix=fix or rule.fix,
            see_pattern=see_pattern or rule.see_pattern,
        )
