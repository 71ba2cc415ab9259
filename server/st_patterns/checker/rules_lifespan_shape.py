"""Lifespan rules about the lifespan itself: handed over uncalled, not a context manager, background work that
never stops, and state read from the request although the App keeps it in its own ``state`` dict.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, FunctionNode, Rule
from st_patterns.checker._handlers import is_st_app
from st_patterns.checker.models import Finding

NOT_CALLED = Rule(
    id="lifespan-not-called",
    severity="error",
    title="App.lifespan handed over without calling it",
    explanation=(
        "`App.lifespan` is a method that returns the lifespan: `FastAPI(lifespan=st_app.lifespan)` passes the "
        "method itself and start-up fails with TypeError; `async with st_app.lifespan():` enters the returned "
        "function, not a context manager, and fails the same way."
    ),
    fix="`FastAPI(lifespan=st_app.lifespan())`, or inside your own lifespan `async with st_app.lifespan()(app):`.",
    see_pattern="mount_streamlit_as_subapp",
)
NOT_CONTEXT_MANAGER = Rule(
    id="lifespan-not-contextmanager",
    severity="error",
    title="Lifespan is a bare async generator",
    explanation=(
        "A lifespan must be an async context manager factory. An `async def` with `yield` but without "
        "@asynccontextmanager makes st.App fail at start-up with TypeError (Starlette and FastAPI still accept "
        "it, with a deprecation warning: a warning there)."
    ),
    fix="Decorate it: `from contextlib import asynccontextmanager` and `@asynccontextmanager` above `async def`.",
    see_pattern="core_lifespan_lifecycle",
)
TASK_NOT_STOPPED = Rule(
    id="lifespan-task-not-stopped",
    severity="error",
    title="Background work started in a lifespan is never stopped",
    explanation=(
        "Work started before the lifespan's `yield` must be stopped after it. A task group whose tasks are not "
        "cancelled waits for them forever, and a non-daemon thread that is never joined keeps the process "
        "alive: shutdown hangs until the process is killed. A bare asyncio task is destroyed mid-work (warning)."
    ),
    fix=(
        "After `yield`, stop what you started: `tg.cancel_scope.cancel()` for an anyio task group, `task.cancel()` "
        "(then await it) for an asyncio task, `stop.set(); thread.join(timeout=5)` for a thread."
    ),
    see_pattern="background_tasks",
)
STATE_ON_REQUEST = Rule(
    id="lifespan-state-on-request",
    severity="error",
    title="App lifespan state read from the request",
    explanation=(
        "What st.App's own lifespan yields lands in `App.state` (a dict), not in `request.state` or "
        "`request.app.state` as with FastAPI's lifespan: reading it there raises AttributeError at run time."
    ),
    fix=(
        "Share the object another way: a module-level holder or a cached loader both the routes and the page "
        "import (see the pattern), or read `st_app.state['key']`."
    ),
    see_pattern="core_lifespan_lifecycle",
)
RULES = [NOT_CALLED, NOT_CONTEXT_MANAGER, TASK_NOT_STOPPED, STATE_ON_REQUEST]

_TASK_STARTS = frozenset({"create_task", "ensure_future", "start_soon"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _not_called(ctx)
    yield from _not_context_manager(ctx)
    yield from _tasks(ctx)
    yield from _state_on_request(ctx)


def _not_called(ctx: Context) -> Iterator[Finding]:
    for call in ctx.calls_with_kwarg("lifespan"):
        value = u.kwarg(call, "lifespan")
        if isinstance(value, ast.Attribute) and value.attr == "lifespan" and is_st_app(ctx, value.value):
            shown = u.dotted(value.value) or "st_app"
            yield ctx.finding(
                NOT_CALLED,
                value,
                f"`lifespan={shown}.lifespan` passes the method, not the lifespan it returns: start-up fails "
                "with TypeError.",
                fix=f"`lifespan={shown}.lifespan()`.",
            )
    for call in ctx.calls:
        func = call.func
        if (call.args or call.keywords) and isinstance(func, ast.Attribute) and func.attr == "lifespan":
            if is_st_app(ctx, func.value):
                shown = u.dotted(func.value) or "st_app"
                yield ctx.finding(
                    NOT_CALLED,
                    call,
                    f"`{shown}.lifespan(...)` takes no arguments (it returns the lifespan, which takes the app): "
                    "this raises TypeError.",
                    fix=f"`{shown}.lifespan()(app)`: call it, then call what it returns with the app.",
                )
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.AsyncWith):
            continue
        for item in node.items:
            expr = item.context_expr
            if (
                isinstance(expr, ast.Call)
                and not expr.args
                and isinstance(expr.func, ast.Attribute)
                and expr.func.attr == "lifespan"
                and is_st_app(ctx, expr.func.value)
            ):
                shown = u.dotted(expr.func.value) or "st_app"
                yield ctx.finding(
                    NOT_CALLED,
                    expr,
                    f"`{shown}.lifespan()` returns the lifespan function; entering it with `async with` fails "
                    "with TypeError.",
                    fix=f"Call the lifespan with the app: `async with {shown}.lifespan()(app):`.",
                )


def lifespan_functions(ctx: Context) -> list[tuple[ast.Call, FunctionNode]]:
    """``(call, function)`` for every ``X(..., lifespan=f)`` whose ``f`` is defined here."""
    found = []
    for call in ctx.calls_with_kwarg("lifespan"):
        value = u.kwarg(call, "lifespan")
        if isinstance(value, ast.Name):
            found += [(call, f) for f in ctx.functions_named(value.id)]
    return found


def _decorated_as_cm(func: FunctionNode) -> bool:
    names = {(u.dotted(d.func if isinstance(d, ast.Call) else d) or "").split(".")[-1] for d in func.decorator_list}
    return bool(names & {"asynccontextmanager", "contextmanager"})


def _yields(func: FunctionNode) -> list[ast.Yield]:
    return [n for n in _own_nodes(func) if isinstance(n, ast.Yield)]


def _not_context_manager(ctx: Context) -> Iterator[Finding]:
    for call, func in lifespan_functions(ctx):
        if not isinstance(func, ast.AsyncFunctionDef) or _decorated_as_cm(func) or not _yields(func):
            continue
        on_app = id(call) in ctx.st_app_ids
        yield ctx.finding(
            NOT_CONTEXT_MANAGER,
            func,
            f"`{func.name}` is an async generator, not an async context manager: "
            + ("st.App fails at start-up with TypeError." if on_app else "accepted only through a deprecated path."),
            severity=None if on_app else "warning",
            fix=f"Put `@asynccontextmanager` (from contextlib) above `async def {func.name}`.",
        )


def _lifespans(ctx: Context) -> list[FunctionNode]:
    """Functions used as a lifespan, or decorated @asynccontextmanager and named like one."""
    found = {id(f): f for _, f in lifespan_functions(ctx)}
    for func in ctx.functions:
        if "lifespan" in func.name.lower() and _decorated_as_cm(func):
            found.setdefault(id(func), func)
    return sorted(found.values(), key=lambda f: f.lineno)


def _is_group_start(ctx: Context, call: ast.Call) -> bool:
    """``await tg.start(fn, ...)``: a task group task that reports ready (not ``server.start()``, not a thread)."""
    return u.call_tail(call) == "start" and bool(call.args) and isinstance(ctx.parents.get(call), ast.Await)


def _tasks(ctx: Context) -> Iterator[Finding]:
    for func in _lifespans(ctx):
        yields = _yields(func)
        if not yields:
            continue
        at = yields[0].lineno
        own = _own_nodes(func)
        before = _followed(ctx, [n for n in own if getattr(n, "lineno", at) < at])
        after = _followed(ctx, [n for n in own if getattr(n, "lineno", 0) > at])
        stops = {n.func.attr for n in after if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        for call in (n for n in before if isinstance(n, ast.Call)):
            tail = u.call_tail(call)
            if (tail in _TASK_STARTS or _is_group_start(ctx, call)) and "cancel" not in stops:
                group = tail in ("start_soon", "start")
                yield ctx.finding(
                    TASK_NOT_STOPPED,
                    call,
                    (
                        "A task group task started in the lifespan is never cancelled: the task group waits for "
                        "it at shutdown, which then hangs."
                        if group
                        else "An asyncio task started in the lifespan is never cancelled: shutdown destroys it "
                        "mid-work."
                    ),
                    severity=None if group else "warning",
                )
            elif _is_thread_start(ctx, call) and not (stops & {"join", "set"}):
                yield ctx.finding(
                    TASK_NOT_STOPPED,
                    call,
                    "A non-daemon thread started in the lifespan is never told to stop or joined: the process "
                    "cannot exit, so shutdown hangs.",
                )


def _followed(ctx: Context, nodes: list[ast.AST], depth: int = 2) -> list[ast.AST]:
    """``nodes`` plus the bodies of the functions and methods they call (by name, ``depth`` levels deep)."""
    out = list(nodes)
    seen: set[int] = set()
    frontier = nodes
    for _ in range(depth):
        found: list[ast.AST] = []
        for node in frontier:
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            for target in ctx.functions_named(name) if name else []:
                if _decorated_as_cm(target) or _yields(target):
                    continue  # a context manager of its own: entering it also runs its own cleanup
                if id(target) not in seen:
                    seen.add(id(target))
                    found += _own_nodes(target)
        out += found
        frontier = found
    return out


def _thread_value(ctx: Context, node: ast.expr) -> ast.expr:
    """What ``t`` or ``self.t`` was set to (``threading.Thread(...)``), else ``node`` itself."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        cls = ctx.enclosing(node, ast.ClassDef)
        for stmt in ast.walk(cls) if cls is not None else []:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == node.attr for t in stmt.targets
            ):
                return stmt.value
        return node
    return ctx.unwrap(node)


def _is_thread_start(ctx: Context, call: ast.Call) -> bool:
    """``threading.Thread(...).start()``, ``t.start()`` or ``self.t.start()`` for a Thread without ``daemon=True``."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "start"):
        return False
    target = _thread_value(ctx, call.func.value)
    if not (isinstance(target, ast.Call) and ctx.is_call(target, "Thread", frozenset({"threading"}))):
        return False
    daemon = u.kwarg(target, "daemon")
    if isinstance(daemon, ast.Constant) and daemon.value is True:
        return False
    shown = u.dotted(call.func.value)
    for node in ast.walk(ctx.tree):  # t.daemon = True before t.start()
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "daemon" and u.dotted(t.value) == shown for t in node.targets
        ):
            return False
    return True


def _yielded_keys(ctx: Context, func: FunctionNode) -> set[str]:
    keys: set[str] = set()
    for node in _yields(func):
        target = ctx.unwrap(node.value) if node.value is not None else None
        if isinstance(target, ast.Dict):
            keys |= {k for k in (u.const_str(key) for key in target.keys) if k}
    return keys


def _state_on_request(ctx: Context) -> Iterator[Finding]:
    app_keys: set[str] = set()
    parent_keys: set[str] = set()
    for call, func in lifespan_functions(ctx):
        (app_keys if id(call) in ctx.st_app_ids else parent_keys).update(_yielded_keys(ctx, func))
    for attr in ctx.attributes:  # app.state.x = ... sets it where the request can see it
        if isinstance(attr.value, ast.Attribute) and attr.value.attr == "state" and isinstance(attr.ctx, ast.Store):
            parent_keys.add(attr.attr)
    keys = app_keys - parent_keys
    if not keys:
        return
    for attr in ctx.attributes:
        if attr.attr not in keys or not isinstance(attr.ctx, ast.Load):
            continue
        base = attr.value
        if not (isinstance(base, ast.Attribute) and base.attr == "state"):
            continue
        chain = u.dotted(base.value) or ""
        parts = chain.split(".")
        if parts[0] in ("request", "req", "websocket", "conn", "connection") or parts[-1] == "app":
            yield ctx.finding(
                STATE_ON_REQUEST,
                attr,
                f"`{chain}.state.{attr.attr}`: st.App's lifespan yields {attr.attr!r} into App.state (a dict), "
                "not onto the request: this raises AttributeError.",
            )


def _own_nodes(func: FunctionNode) -> list[ast.AST]:
    """Nodes of ``func`` outside nested defs (a nested function's yield is not the lifespan's)."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out
