"""Find the ASGI app of an agent's project: a ``.py`` file, a folder, or ``module:attr`` named outright.

In a folder, look the way ``streamlit run`` finds a script: the conventional file names first (``app.py``,
``streamlit_app.py``, ``main.py``, ``asgi.py``, ``server.py``), then every other top-level module, and take the first
module-level assignment of ``App(...)`` / ``st.App(...)`` / ``FastAPI(...)`` / ``Starlette(...)`` (or of a call
wrapping one, such as ``Guard(app)``), preferring a variable named ``app`` or ``streamlit_app``, else the outermost.
Nothing is imported: the files are parsed, not run.

Example::

    found = find_entry(Path("/work/shop"))          # Entry(folder=..., file="app.py", attr="app")
    find_entry(Path("/work/shop"), "web.main:api")  # Entry(folder=..., file="web/main.py", attr="api")
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from st_patterns.errors import InvalidInput

PREFERRED_FILES = ("app.py", "streamlit_app.py", "main.py", "asgi.py", "server.py")
PREFERRED_NAMES = ("app", "streamlit_app", "application", "api")
APP_FACTORIES = frozenset({"App", "FastAPI", "Starlette"})
ENTRY_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_]\w*$")
MAX_SOURCE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Entry:
    folder: Path  # the project folder (copied into the sandbox, the app's working directory)
    file: str  # relative to folder
    attr: str

    @property
    def spec(self) -> str:
        return f"{self.file.removesuffix('.py').replace('/', '.')}:{self.attr}"


def _factory_name(call: ast.expr) -> str | None:
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return name if name in APP_FACTORIES else None


def apps_in(path: Path) -> list[str]:
    """Module-level names bound to an App/FastAPI/Starlette call, or to a call wrapping one, in source order."""
    try:
        data = path.read_bytes()
        if len(data) > MAX_SOURCE_BYTES:
            return []
        tree = ast.parse(data, filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return []
    names = []
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is None:
            continue
        bound = [t.id for t in targets if isinstance(t, ast.Name)]
        if _factory_name(value) or (names and _wraps(value, names)):  # App(...), or Guard(app) around one
            names += bound
    return names


def _wraps(value: ast.expr, apps: list[str]) -> bool:
    """``Middleware(app)`` / ``wrap(app, ...)``: a call taking one of ``apps`` as an argument."""
    if not isinstance(value, ast.Call):
        return False
    args = [*value.args, *(k.value for k in value.keywords)]
    return any(isinstance(arg, ast.Name) and arg.id in apps for arg in args)


def _pick(names: list[str]) -> str | None:
    """The conventional name first, else the outermost app (the last one bound: wrappers come after)."""
    for preferred in PREFERRED_NAMES:
        if preferred in names:
            return preferred
    return names[-1] if names else None


def find_entry(path: Path, entry: str | None = None) -> Entry:
    """The project folder, entry file and attribute for ``path``; raises InvalidInput saying what to pass instead."""
    folder = path if path.is_dir() else path.parent
    if entry:
        if not ENTRY_RE.match(entry):
            raise InvalidInput(f"entry {entry[:100]!r} must look like 'module:attr' (e.g. 'app:app', 'web.main:api').")
        module, attr = entry.split(":")
        file = module.replace(".", "/") + ".py"
        if not (folder / file).is_file():
            raise InvalidInput(f"entry {entry!r}: {folder / file} does not exist.")
        return Entry(folder, file, attr)
    if path.is_file():
        if path.suffix != ".py":
            raise InvalidInput(f"{path.name!r} is not a .py file; pass the module that defines your ASGI app.")
        attr = _pick(apps_in(path)) or "app"
        return Entry(folder, path.name, attr)
    candidates = [folder / name for name in PREFERRED_FILES if (folder / name).is_file()]
    candidates += sorted(p for p in folder.glob("*.py") if p.name not in PREFERRED_FILES)
    for candidate in candidates:
        attr = _pick(apps_in(candidate))
        if attr is not None:
            return Entry(folder, candidate.name, attr)
    looked = ", ".join(c.name for c in candidates[:10]) or "no .py files"
    raise InvalidInput(
        f"No module-level App(...), FastAPI(...) or Starlette(...) found in {folder} (looked at {looked}). "
        "Pass entry='module:attr' to name it."
    )
