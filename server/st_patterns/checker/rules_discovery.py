"""What ``streamlit run app.py`` (and ``App.run``) would serve, against what the module means to serve.

``streamlit run`` finds the app by reading the module: a module-level ``name = App(...)`` / ``FastAPI(...)`` /
``Starlette(...)``, ``app`` or ``streamlit_app`` preferred, else the first. A wrapper (``app = Guard(st_app)``)
is not such a call, so it is skipped; and an App whose lifespan a parent took cannot also be served on its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._handlers import is_st_app, runs_at_import
from st_patterns.checker._middleware import guard_signals
from st_patterns.checker.models import Finding

TAKEN_THEN_SERVED = Rule(
    id="lifespan-taken-then-served",
    severity="error",
    title="App served on its own after a parent took its lifespan",
    explanation=(
        "Once `st_app.lifespan()` is handed to a parent app, the same App cannot also be served standalone "
        "(`st_app.run()`, `uvicorn.run(st_app)`, or `streamlit run` picking it): start-up raises RuntimeError."
    ),
    fix="Serve the parent (`uvicorn.run(parent)`, and name it `app` so `streamlit run` picks it), never the App.",
    see_pattern="mount_streamlit_as_subapp",
    local=True,
)
WRAPPER_SKIPPED = Rule(
    id="wrapper-skipped-by-streamlit-run",
    severity="warning",
    title="streamlit run serves the App without its wrapper",
    explanation=(
        "`streamlit run` only recognises `name = App(...)` / `FastAPI(...)` / `Starlette(...)` at module level. "
        "`app = Guard(st_app)` is not one, so `streamlit run` serves the bare App and the wrapper (a guard, "
        "headers) never runs; under uvicorn it does. An error when the wrapper is a guard."
    ),
    fix="Pass the wrapper as middleware instead: `App(script, middleware=[Middleware(Guard)])`, or serve the "
    "module with uvicorn only.",
    see_pattern="middleware_auth",
    local=True,
)
RULES = [TAKEN_THEN_SERVED, WRAPPER_SKIPPED]

_FACTORIES = frozenset({"App", "FastAPI", "Starlette"})
_PREFERRED = ("app", "streamlit_app")


def check(ctx: Context) -> Iterator[Finding]:
    yield from _taken_then_served(ctx)
    yield from _wrapper_skipped(ctx)


def discovered(ctx: Context) -> tuple[str, ast.Assign] | None:
    """The module-level binding ``streamlit run`` would serve, as it finds it (None: nothing it recognises)."""
    found: list[tuple[str, ast.Assign]] = []
    for stmt in ctx.tree.body:
        if ctx.origin(stmt) is not None or not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
            continue
        qual = ctx.qual(stmt.value.func) or ""
        if qual.split(".")[-1] in _FACTORIES and (
            u.refers_to(qual, "App", u.STREAMLIT) or u.refers_to(qual, qual.split(".")[-1], u.ASGI)
        ):
            found += [(t.id, stmt) for t in stmt.targets if isinstance(t, ast.Name)]
    for name in _PREFERRED:
        for candidate in found:
            if candidate[0] == name:
                return candidate
    return found[0] if found else None


def _lifespan_taken(ctx: Context, name: str) -> ast.Call | None:
    for call in ctx.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "lifespan" and u.dotted(func.value) == name:
            return call
    return None


def _taken_then_served(ctx: Context) -> Iterator[Finding]:
    for name in sorted({n for n in ctx.assigned if is_st_app(ctx, ast.Name(n))}):
        taken = _lifespan_taken(ctx, name)
        if taken is None:
            continue
        for call in ctx.calls:
            target = None
            if isinstance(call.func, ast.Attribute) and call.func.attr == "run" and u.dotted(call.func.value) == name:
                target = "run()"
            elif ctx.qual(call.func) == "uvicorn.run" and call.args and u.dotted(call.args[0]) == name:
                target = "uvicorn.run(...)"
            if target is not None and ctx.origin(call) is None:
                yield ctx.finding(
                    TAKEN_THEN_SERVED,
                    call,
                    f"`{name}` is served on its own ({target}) although its lifespan was handed to a parent "
                    f"(line {taken.lineno}): start-up raises RuntimeError.",
                )
    picked = discovered(ctx)
    if picked is None:
        return
    name, stmt = picked
    taken = _lifespan_taken(ctx, name)
    if taken is not None and is_st_app(ctx, stmt.value) and ctx.origin(taken) is None:
        yield ctx.finding(
            TAKEN_THEN_SERVED,
            stmt,
            f"`streamlit run` would serve `{name}` (it prefers that name), whose lifespan a parent took "
            f"(line {taken.lineno}): RuntimeError at start-up.",
            severity="warning",
            fix="Name the parent `app` (or `streamlit_app`) so `streamlit run` serves it, and the App e.g. `ui`.",
        )


def _wrapper_skipped(ctx: Context) -> Iterator[Finding]:
    picked = discovered(ctx)
    if picked is None or not is_st_app(ctx, picked[1].value):
        return
    name = picked[0]
    for stmt in ctx.tree.body:
        if ctx.origin(stmt) is not None or not isinstance(stmt, ast.Assign) or not runs_at_import(ctx, stmt):
            continue
        value = stmt.value
        if not isinstance(value, ast.Call) or stmt is picked[1]:
            continue
        if not any(u.dotted(a) == name for a in [*value.args, *(k.value for k in value.keywords)]):
            continue
        if u.call_tail(value) in _FACTORIES or isinstance(value.func, ast.Attribute):
            continue  # a parent app, or a method call on something: not a wrapper
        wrapper = u.dotted(value.func) or "wrapper"
        cls = next((c for c in ctx.classes if c.name == wrapper), None)
        guard = cls is not None and guard_signals(ctx, cls)[0]
        if not guard and _serves_itself(ctx, [t.id for t in stmt.targets if isinstance(t, ast.Name)]):
            continue  # the module runs uvicorn on the wrapper itself: that is how it is served
        yield ctx.finding(
            WRAPPER_SKIPPED,
            stmt,
            f"`streamlit run` serves `{name}` itself: `{wrapper}(...)` around it is not an App, FastAPI or "
            "Starlette call, so it never runs there" + (" (and it is a guard: the app is open)." if guard else "."),
            severity="error" if guard else None,
        )


def _serves_itself(ctx: Context, names: list[str]) -> bool:
    return any(
        ctx.qual(call.func) == "uvicorn.run" and call.args and u.dotted(call.args[0]) in names for call in ctx.calls
    )
