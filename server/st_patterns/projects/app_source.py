"""Turn an agent's project (a path, or files sent over MCP) into what the registry launches.

Readiness follows the app's own shape: Streamlit's health endpoint under the prefix the App is mounted at (found in
the entry module: ``Mount("/dashboard", app=ui)`` or ``api.mount("/dashboard", ui)``), or a health path the agent
names; and a 401 or 403 there counts as "up", because an app that guards everything (as it should) refuses us too.

Example::

    source = user_app_source(Path("/work/shop"), watch=True)
    registry.launch_source(source)
"""

from __future__ import annotations

import ast
from pathlib import Path

from st_patterns.errors import InvalidInput
from st_patterns.instances.source import AppSource
from st_patterns.projects.entry import APP_FACTORIES, find_entry
from st_patterns.projects.linker import Project

GUARDED_UP = (200, 401, 403)


def _app_names(tree: ast.Module) -> set[str]:
    """Module-level names bound to a Streamlit ``App(...)`` call."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == "App":
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def streamlit_prefix(folder: Path, entry: str) -> str:
    """Where the entry module mounts its Streamlit App ("/" when it is the root app or not found); the App may be
    built in another module of the project (``from ui import st_app``)."""
    tree = Project(root=folder.resolve()).linked(entry).tree  # lazy: only what the entry imports
    apps = _app_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in ("Mount", "mount"):
            continue
        first = node.args[0]
        target = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "app"), None)
        is_app = isinstance(target, ast.Name) and target.id in apps
        is_app = is_app or (isinstance(target, ast.Call) and getattr(target.func, "id", None) in APP_FACTORIES)
        if is_app and isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("/"):
            return first.value.rstrip("/") + "/"
    return "/"


def user_app_source(
    path: Path, entry: str | None = None, *, watch: bool = True, health_path: str | None = None
) -> AppSource:
    """The AppSource for an agent's project at ``path`` (a .py file or a folder); raises InvalidInput."""
    found = find_entry(path, entry)
    if health_path is not None and (not health_path.startswith("/") or len(health_path) > 200):
        raise InvalidInput(f"health_path {health_path[:50]!r} must be a URL path starting with '/'.")
    base = streamlit_prefix(found.folder, found.file)
    name = (found.folder.name if path.is_dir() else Path(found.file).stem) or "app"
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)[:40] or "app"
    return AppSource(
        kind="app",
        name=safe,
        folder=found.folder,
        entry=found.file,
        attr=found.attr,
        base_path=base,
        health_path=health_path,
        up_statuses=GUARDED_UP,
        watch=watch,
    )
