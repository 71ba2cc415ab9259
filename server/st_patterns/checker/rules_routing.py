"""Routing rules: what st.App is given as script and routes, and how route handlers are written."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker.models import Finding

RESERVED_PREFIX = Rule(
    id="reserved-prefix-route",
    severity="error",
    title="Route under a prefix Streamlit reserves",
    explanation=(
        "st.App refuses user routes under /_stcore/, /media/, /component/ and /static/ (or equal to those "
        "prefixes): the App raises ValueError when it is built, so the server never starts."
    ),
    fix="Move the route under your own prefix, e.g. `Mount('/api', app=api)` or `Route('/assets/{name}', ...)`.",
    see_pattern="route_custom_endpoints",
)
CATCH_ALL = Rule(
    id="catch-all-route",
    severity="error",
    title="Catch-all route in st.App routes shadows Streamlit",
    explanation=(
        "Routes passed to st.App are matched before Streamlit's own. `Route('/{path:path}')` or "
        "`Mount('/', app=...)` therefore answers every request, including the Streamlit page and "
        "/_stcore/health; st.App does not refuse it, the UI just disappears."
    ),
    fix=(
        "Give the extra app its own prefix (`Mount('/api', app=api)`), or make it the parent and mount "
        "Streamlit under it: `Mount('/dashboard', app=st_app)` with `lifespan=st_app.lifespan()`."
    ),
    see_pattern="route_custom_endpoints",
)
RELATIVE_SCRIPT = Rule(
    id="relative-script-path",
    severity="warning",
    title="Relative Streamlit script path",
    explanation=(
        "Under uvicorn, st.App resolves a relative script path against the current working directory, not "
        "against the file that builds the App: started from another directory, the server serves a "
        "'file not found' page."
    ),
    fix="Build an absolute path: `HERE = Path(__file__).resolve().parent` and `App(HERE / 'ui.py', ...)`.",
    see_pattern="mount_fastapi",
)
SELF_LAUNCHING = Rule(
    id="self-launching-app",
    severity="error",
    title="st.App serves the module that builds it",
    explanation=(
        "`st.App(__file__)` makes the ASGI module its own Streamlit script: every script run re-executes "
        "the module, building another App and its routes inside the script runner ('Runtime instance "
        "already exists', duplicated side effects)."
    ),
    fix="Put the page in its own file and point at it: `App(Path(__file__).resolve().parent / 'ui.py')`.",
    see_pattern="mount_fastapi",
    local=True,
)
RULES = [RESERVED_PREFIX, CATCH_ALL, RELATIVE_SCRIPT, SELF_LAUNCHING]

RESERVED = ("/_stcore/", "/media/", "/component/", "/static/")
_CATCH_ALL_PATH = re.compile(r"^/?\{[^}/]*:path\}")
_PATH_WRAPPERS = frozenset({"Path", "PurePath", "str", "fspath", "abspath", "realpath", "normpath"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _st_app_routes(ctx)
    yield from _script_paths(ctx)


def _st_app_routes(ctx: Context) -> Iterator[Finding]:
    seen: set[int] = set()
    for app in ctx.st_app_calls:
        routes = u.kwarg(app, "routes")
        for element in ctx.route_elements(routes) if routes is not None else []:
            if not isinstance(element, ast.Call) or id(element) in seen:
                continue
            seen.add(id(element))
            tail = u.call_tail(element)
            path = ctx.route_path(element)
            if path is None or tail not in ("Route", "Mount", "WebSocketRoute"):
                continue
            reserved = next((p for p in RESERVED if path.startswith(p) or path == p.rstrip("/")), None)
            if reserved:
                yield ctx.finding(
                    RESERVED_PREFIX,
                    element,
                    f"Route path {path!r} is under Streamlit's reserved prefix {reserved!r}: st.App raises "
                    "ValueError at startup.",
                )
            elif _CATCH_ALL_PATH.match(path) or (tail == "Mount" and path in ("", "/")):
                yield ctx.finding(
                    CATCH_ALL,
                    element,
                    f"{tail}({path!r}) in st.App routes matches every path before Streamlit's routes: it "
                    "shadows the Streamlit page and /_stcore/health.",
                )


def _script_paths(ctx: Context) -> Iterator[Finding]:
    for app in ctx.st_app_calls:
        script = u.arg(app, 0, "script_path")
        if script is None:
            continue
        resolved = ctx.unwrap(script)
        if _is_dunder_file(ctx, resolved):
            yield ctx.finding(
                SELF_LAUNCHING,
                app,
                "st.App is given this module's own __file__: the ASGI module is re-executed as the Streamlit "
                "script on every run.",
            )
            continue
        relative = _relative_literal(resolved)
        if relative is not None:
            yield ctx.finding(
                RELATIVE_SCRIPT,
                script,
                f"Script path {relative!r} is relative: uvicorn resolves it against the current working "
                "directory, so the app breaks when started from elsewhere.",
                fix=f"`App(Path(__file__).resolve().parent / {relative!r}, ...)`.",
            )


def _is_dunder_file(ctx: Context, node: ast.expr) -> bool:
    for _ in range(10):
        node = ctx.unwrap(node)
        if isinstance(node, ast.Name):
            return node.id == "__file__"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in (
                "resolve",
                "absolute",
            )
        ):
            node = node.func.value
        elif isinstance(node, ast.Call) and u.call_tail(node) in _PATH_WRAPPERS and len(node.args) == 1:
            node = node.args[0]
        else:
            return False
    return False


def _relative_literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and u.call_tail(node) in ("Path", "PurePath", "join") and node.args:
        node = node.args[0]
    text = u.const_str(node)
    if text is None or not text.strip():
        return None
    if text.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text) or "{}" in text:
        return None
    return text
