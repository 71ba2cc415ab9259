"""Follow a project's own imports, so a module can be read with the definitions it imports from its siblings.

The checker and the probe suggestions read one module at a time; in a real project the auth middleware, the
lifespan and the ``App(...)`` often live in other modules (``from .auth import Guard``). A module's *linked view*
is its syntax tree with those definitions put in front of its own code, under the names it imports them as, with
what they need from their own module (its imports, helper functions, constants). Nothing is imported or run: files
are parsed, and only the modules an import reaches are read.

Example::

    project = Project.from_folder(Path("/work/shop"))
    view = project.linked("app.py")     # app.py's tree, with Guard (from auth.py) spliced in
    view.origin_of(view.tree.body[0])   # the auth.py Module: findings there belong to auth.py
"""

from __future__ import annotations

import ast
import builtins
import copy
import io
import os
import tokenize
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from st_patterns.catalog.guards import MAX_SOURCE_BYTES
from st_patterns.errors import InvalidInput

SKIP_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "dist-packages", "venv", "env", "build", "dist",
     "__pypackages__"}
)  # fmt: skip
MAX_MODULES = 2000  # a project folder bigger than this is checked in its first MAX_MODULES modules
MAX_FOLDERS = 5000  # folders walked at most (a project, not a disk: `check /` stays bounded)
MAX_SPLICES = 400  # definitions spliced into one module's view (deep re-export chains stop here)
_BUILTINS = frozenset(dir(builtins))
Binding = ast.stmt


@dataclass
class Module:
    """One parsed source file of the project; ``tree`` is None when it does not parse or is too large."""

    path: str  # posix path relative to the project root: "pkg/auth.py"
    source: str
    tree: ast.Module | None
    error: str | None = None  # why there is no tree

    @property
    def dotted(self) -> str:
        parts = self.path.removesuffix(".py").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")


@dataclass
class LinkedView:
    """A module's tree with imported sibling definitions spliced in front; ``origins`` says where they came from."""

    module: Module
    tree: ast.Module
    origins: dict[int, Module] = field(default_factory=dict)  # id(top-level statement) -> its module
    spliced_from: set[int] = field(default_factory=set)  # ids of other modules' statements taken into this view

    def origin_of(self, stmt: ast.AST) -> Module:
        return self.origins.get(id(stmt), self.module)


def parse_module(path: str, source: str) -> Module:
    if len(source.encode("utf-8", errors="replace")) > MAX_SOURCE_BYTES:
        return Module(path, source, None, f"larger than {MAX_SOURCE_BYTES // 1024} KiB")
    try:
        with warnings.catch_warnings():  # invalid escapes in someone's code are theirs, not our output
            warnings.simplefilter("ignore")
            return Module(path, source, ast.parse(source, filename=path))
    except SyntaxError as exc:
        return Module(path, source, None, f"syntax error: {exc.msg} (line {exc.lineno})")
    except (ValueError, RecursionError, MemoryError):
        return Module(path, source, None, "source contains NUL bytes or is nested too deeply")


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES * 2:
            return "#" * (MAX_SOURCE_BYTES + 1)  # too large: parse_module says so without reading it all
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


class Project:
    """A project's modules, read lazily from a folder or from a mapping of relative paths to sources.

    >>> p = Project.from_sources({"app.py": "from auth import Guard\\n", "auth.py": "class Guard: pass\\n"})
    >>> [type(s).__name__ for s in p.linked("app.py").tree.body]
    ['ClassDef', 'ImportFrom']
    """

    def __init__(self, root: Path | None = None, sources: Mapping[str, str] | None = None) -> None:
        self.root = root
        self._sources = dict(sources or {})
        self._modules: dict[str, Module | None] = {}
        self._views: dict[str, LinkedView] = {}
        self._linking: set[str] = set()
        self.spliced: set[int] = set()  # ids of statements some other module's view took in

    @classmethod
    def from_folder(cls, root: Path) -> Project:
        """A project folder; the filesystem root is refused (it is a disk, not a project)."""
        resolved = root.resolve()
        if resolved == Path(resolved.anchor):
            raise InvalidInput(f"{str(root)!r} is the filesystem root, not a project; pass your project's folder.")
        return cls(root=resolved)

    @classmethod
    def from_sources(cls, sources: Mapping[str, str]) -> Project:
        return cls(sources={k.replace(os.sep, "/"): v for k, v in sources.items()})

    # -- finding modules ---------------------------------------------------------------------------------

    def paths(self) -> list[str]:
        """Every ``.py`` file of the project (sorted; hidden, virtualenv and build folders skipped)."""
        if self.root is None:
            return sorted(p for p in self._sources if p.endswith(".py"))
        found: list[str] = []
        device = self.root.stat().st_dev
        for walked, (folder, dirs, files) in enumerate(os.walk(self.root)):
            if walked >= MAX_FOLDERS:
                break
            dirs[:] = sorted(d for d in dirs if not _skipped(folder, d, device))
            rel = os.path.relpath(folder, self.root)
            for name in sorted(files):
                if name.endswith(".py"):
                    found.append(name if rel == "." else f"{Path(rel).as_posix()}/{name}")
                    if len(found) >= MAX_MODULES:
                        return sorted(found)
        return sorted(found)

    def module(self, path: str) -> Module | None:
        """The parsed module at ``path`` (relative, posix), or None when the project has no such file."""
        if path not in self._modules:
            source = self._sources.get(path) if self.root is None else self._file_source(path)
            self._modules[path] = None if source is None else parse_module(path, source)
        return self._modules[path]

    def _file_source(self, path: str) -> str | None:
        assert self.root is not None
        target = self.root / path
        if ".." in Path(path).parts or not target.is_file():
            return None
        return _read(target)

    def _exists(self, path: str) -> bool:
        if self.root is None:
            return path in self._sources
        return self.module(path) is not None

    def resolve(self, importer: Module, level: int, name: str | None) -> Module | None:
        """The project module ``from <level dots><name> import ...`` in ``importer`` refers to, if it is one."""
        parts = [p for p in (name or "").split(".") if p]
        if level:
            base = importer.dotted.split(".") if importer.dotted else []
            if not importer.is_package:
                base = base[:-1]
            if level - 1 > len(base):
                return None
            base = base[: len(base) - (level - 1)]
            candidates = ["/".join(base + parts)]
        else:
            if not parts:
                return None
            here = str(Path(importer.path).parent.as_posix())
            candidates = ["/".join(parts), f"src/{'/'.join(parts)}"]
            if here not in (".", ""):
                candidates.append(f"{here}/{'/'.join(parts)}")  # a script's own folder is on sys.path
        for stem in candidates:
            stem = stem.strip("/")
            if not stem:
                continue
            for path in (f"{stem}.py", f"{stem}/__init__.py"):
                if self._exists(path):
                    return self.module(path)
        return None

    # -- linking -----------------------------------------------------------------------------------------

    def linked(self, path: str) -> LinkedView:
        """``path``'s view with what it imports from the project spliced in (computed once per module)."""
        if path in self._views:
            return self._views[path]
        module = self.module(path)
        if module is None or module.tree is None:
            empty = module or Module(path, "", None, "no such module")
            return LinkedView(empty, ast.Module(body=[], type_ignores=[]))
        if path in self._linking:  # an import cycle: the partial view is the unlinked module
            return LinkedView(module, module.tree)
        self._linking.add(path)
        try:
            view = _Linker(self, module).build()
        finally:
            self._linking.discard(path)
        self._views[path] = view
        return view


def _skipped(folder: str, name: str, device: int) -> bool:
    """Hidden folders, caches, build output, virtualenvs (a ``pyvenv.cfg`` inside) and other filesystems."""
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    path = os.path.join(folder, name)
    try:
        return os.path.isfile(os.path.join(path, "pyvenv.cfg")) or os.lstat(path).st_dev != device
    except OSError:
        return True


def _project_imports(project: Project, module: Module) -> Iterator[tuple[ast.ImportFrom, Module]]:
    assert module.tree is not None
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            target = project.resolve(module, node.level, node.module)
            if target is not None and target.path != module.path:
                yield node, target


def bindings(tree: ast.Module, skip: set[int] | frozenset[int] = frozenset()) -> dict[str, Binding]:
    """Top-level name -> the statement that binds it last (defs, assignments, imports not in ``skip``)."""
    found: dict[str, Binding] = {}
    for stmt in tree.body:
        if id(stmt) in skip:
            continue
        for name in bound_names(stmt):
            found[name] = stmt
    return found


def bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return [a.asname or a.name.split(".")[0] for a in stmt.names if a.name != "*"]
    return []


class _Linker:
    """Builds one module's view: the statements to put in front, in dependency order."""

    def __init__(self, project: Project, module: Module) -> None:
        assert module.tree is not None
        self.project = project
        self.module = module
        self.tree = module.tree
        self.project_imports = list(_project_imports(project, module))
        skip = {id(node) for node, _ in self.project_imports}
        self.local = set(bindings(self.tree, skip))  # names the module binds itself
        self.prelude: list[ast.stmt] = []
        self.origins: dict[int, Module] = {}
        self.spliced_from: set[int] = set()
        self.taken: set[str] = set()

    def build(self) -> LinkedView:
        for node, target in self.project_imports:
            view = self.project.linked(target.path)
            if view.module.tree is None:
                continue
            available = _view_bindings(self.project, view)
            for alias in node.names:
                if alias.name == "*":
                    for name, stmt in available.items():
                        if not name.startswith("_"):
                            self._take(name, name, stmt, view, available)
                elif alias.name in available:
                    self._take(alias.asname or alias.name, alias.name, available[alias.name], view, available)
        tree = ast.Module(body=[*self.prelude, *self.tree.body], type_ignores=[])
        return LinkedView(self.module, tree, self.origins, self.spliced_from)

    def _take(
        self, as_name: str, name: str, stmt: Binding, view: LinkedView, available: dict[str, Binding], depth: int = 0
    ) -> None:
        if as_name in self.taken or len(self.prelude) >= MAX_SPLICES or depth > 20:
            return
        if depth and as_name in self.local:
            return  # a helper the module defines itself under the same name: keep the module's own
        self.taken.add(as_name)
        for dep in sorted(_names_needed(stmt) - {name}):
            if dep in available and dep not in _BUILTINS:
                self._take(dep, dep, available[dep], view, available, depth + 1)
        spliced = _renamed(stmt, name, as_name)
        if spliced is None:
            return
        self.prelude.append(spliced)
        self.origins[id(spliced)] = view.origin_of(stmt)
        self.spliced_from.add(id(stmt))
        self.project.spliced.add(id(stmt))


def _view_bindings(project: Project, view: LinkedView) -> dict[str, Binding]:
    """What a linked view offers to importers: its own and spliced definitions (project imports are replaced)."""
    module = view.module
    skip = {id(node) for node, _ in _project_imports(project, module)} if module.tree is not None else set()
    return bindings(view.tree, skip)


def _names_needed(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _renamed(stmt: Binding, name: str, as_name: str) -> ast.stmt | None:
    """``stmt`` binding only ``as_name`` (a copy when renamed or narrowed; the original node otherwise)."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        if stmt.name == as_name:
            return stmt
        renamed = copy.copy(stmt)
        renamed.name = as_name
        return renamed
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        alias = next((a for a in stmt.names if (a.asname or a.name.split(".")[0]) == name), None)
        if alias is None:
            return None
        narrowed = copy.copy(stmt)
        narrowed.names = [ast.alias(alias.name, as_name if as_name != alias.name.split(".")[0] else alias.asname)]
        return narrowed
    value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
    if value is None:
        return None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and bound_names(stmt) == [as_name]:
        return stmt
    return ast.copy_location(ast.Assign(targets=[ast.Name(as_name, ast.Store())], value=value), stmt)
