"""What runs when the module is imported: a server started at import, UI calls in the launcher, two Apps.

uvicorn, ``streamlit run`` and the script runner all import the module that builds the App; anything at its top
level runs again there. Each rule is ``local``: it judges a module by its own top level.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._handlers import is_st_app, runs_at_import
from st_patterns.checker.models import Finding

UVICORN_AT_IMPORT = Rule(
    id="uvicorn-run-at-import",
    severity="error",
    title="uvicorn.run at module top level",
    explanation=(
        "`uvicorn.run(app)` outside `if __name__ == '__main__':` starts a server whenever the module is imported: "
        "`uvicorn mod:app`, a test or `streamlit run` blocks in the import (or fails on a taken port)."
    ),
    fix="Move it under `if __name__ == '__main__':` (or start the server with `uvicorn mod:app`).",
    see_pattern="mount_fastapi",
    local=True,
)
APP_RUN_AT_IMPORT = Rule(
    id="app-run-at-import",
    severity="error",
    title="App.run() at module top level",
    explanation=(
        "`App.run()` starts a server and blocks. Outside `if __name__ == '__main__':` it runs whenever the module "
        "is imported, including by uvicorn and by the script runner, and raises when a runtime already exists."
    ),
    fix="Call it only under `if __name__ == '__main__': app.run()`.",
    see_pattern="mount_fastapi",
    local=True,
)
UI_IN_LAUNCHER = Rule(
    id="ui-in-launcher",
    severity="warning",
    title="Streamlit UI calls in the module that builds the App",
    explanation=(
        "The launcher module runs in the server process, not in a script run: `st.*` UI calls or cached "
        "functions called at its top level warn 'missing ScriptRunContext' / 'No runtime found', draw nothing, "
        "and do their work at import."
    ),
    fix="Move UI calls into the page script given to App(...); warm caches in a lifespan instead.",
    see_pattern="core_lifespan_lifecycle",
    local=True,
)
TWO_APPS = Rule(
    id="two-streamlit-apps",
    severity="error",
    title="Two st.App instances in one process",
    explanation=(
        "Streamlit has one runtime per process: a second App that is served fails with 'Runtime instance already "
        "exists!'. One App serves every page; use st.navigation for several pages."
    ),
    fix="Keep one App and give it a multipage script (st.navigation / st.Page), or run the second in its own process.",
    see_pattern="mount_streamlit_as_subapp",
)
RULES = [UVICORN_AT_IMPORT, APP_RUN_AT_IMPORT, UI_IN_LAUNCHER, TWO_APPS]

_NOT_UI = frozenset(
    {"App", "cache_data", "cache_resource", "set_option", "get_option", "secrets", "connection", "fragment",
     "Page", "experimental_singleton", "experimental_memo", "cache", "context", "runtime", "starlette", "config"}
)  # fmt: skip


def check(ctx: Context) -> Iterator[Finding]:
    yield from _servers(ctx)
    yield from _ui_calls(ctx)
    yield from _two_apps(ctx)


def _servers(ctx: Context) -> Iterator[Finding]:
    for call in ctx.calls:
        if not runs_at_import(ctx, call):
            continue
        if ctx.qual(call.func) == "uvicorn.run":
            yield ctx.finding(
                UVICORN_AT_IMPORT,
                call,
                "uvicorn.run(...) runs when this module is imported: uvicorn, tests and `streamlit run` start a "
                "second server (or block) just by importing it.",
            )
        elif isinstance(call.func, ast.Attribute) and call.func.attr == "run" and is_st_app(ctx, call.func.value):
            yield ctx.finding(
                APP_RUN_AT_IMPORT,
                call,
                "App.run() runs when this module is imported: uvicorn or the script runner importing it starts "
                "(or fails to start) another server.",
            )


def _cached_functions(ctx: Context) -> set[str]:
    found = set()
    for func in ctx.functions:
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            qual = ctx.qual(target) or ""
            if qual.split(".")[0] in u.STREAMLIT and qual.split(".")[-1] in ("cache_data", "cache_resource"):
                found.add(func.name)
    return found


def _ui_calls(ctx: Context) -> Iterator[Finding]:
    if not any(runs_at_import(ctx, c) for c in ctx.st_app_calls):
        return
    cached = _cached_functions(ctx)
    for call in ctx.calls:
        if ctx.origin(call) is not None or not runs_at_import(ctx, call):
            continue
        qual = ctx.qual(call.func) or ""
        parts = qual.split(".")
        direct = len(parts) == 2 or (len(parts) == 3 and parts[1] == "sidebar")  # st.x(...), st.sidebar.x(...)
        ui = parts[0] == "streamlit" and direct and not (set(parts[1:]) & _NOT_UI)
        if ui or (isinstance(call.func, ast.Name) and call.func.id in cached):
            shown = "st." + ".".join(parts[1:]) if ui else call.func.id  # type: ignore[union-attr]
            yield ctx.finding(
                UI_IN_LAUNCHER,
                call,
                f"`{shown}(...)` at the top level of the module that builds the App runs in the server process at "
                "import, outside any script run: it draws nothing and warns 'missing ScriptRunContext'.",
            )


def _two_apps(ctx: Context) -> Iterator[Finding]:
    apps = [c for c in ctx.st_app_calls if runs_at_import(ctx, c)]
    apps.sort(key=lambda c: (ctx.origin(c) is None, c.lineno, c.col_offset))  # imported ones count first
    for extra in apps[1:]:
        yield ctx.finding(
            TWO_APPS,
            extra,
            f"A second st.App is built at import ({len(apps)} in this process): serving both fails with "
            "'Runtime instance already exists!'.",
        )
