"""A blocking call inside an ``async def`` handler stalls the event loop every session's websocket runs on.

Plain ``def`` handlers are fine: Starlette and FastAPI run them in a thread pool. The hazard is ``time.sleep``,
``requests.get`` or a sync database driver called directly in a coroutine that answers requests.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from st_patterns.checker._context import Context, FunctionNode, Rule
from st_patterns.checker._handlers import route_handlers
from st_patterns.checker._middleware import middlewares
from st_patterns.checker.models import Finding

BLOCKING_CALL = Rule(
    id="blocking-call-in-async-handler",
    severity="warning",
    title="Blocking call inside an async handler",
    explanation=(
        "An `async def` handler or middleware runs on the event loop that also carries every Streamlit "
        "session's websocket. A blocking call there (time.sleep, requests.*, urllib, subprocess, a sync "
        "database driver) freezes every user's UI until it returns. Plain `def` handlers are not the problem: "
        "Starlette and FastAPI run them in a thread pool."
    ),
    fix=(
        "Await the async equivalent (`await asyncio.sleep(...)`, `httpx.AsyncClient`, asyncpg, aiosqlite), "
        "move the call to a thread (`await anyio.to_thread.run_sync(fn, ...)`), or make the handler a plain `def`."
    ),
    see_pattern="route_custom_endpoints",
)
RULES = [BLOCKING_CALL]

BLOCKING = {
    "time.sleep": "await asyncio.sleep(...)",
    "requests.get": "httpx.AsyncClient().get(...)",
    "requests.post": "httpx.AsyncClient().post(...)",
    "requests.put": "httpx.AsyncClient().put(...)",
    "requests.patch": "httpx.AsyncClient().patch(...)",
    "requests.delete": "httpx.AsyncClient().delete(...)",
    "requests.head": "httpx.AsyncClient().head(...)",
    "requests.request": "httpx.AsyncClient().request(...)",
    "httpx.get": "an httpx.AsyncClient",
    "httpx.post": "an httpx.AsyncClient",
    "httpx.put": "an httpx.AsyncClient",
    "httpx.patch": "an httpx.AsyncClient",
    "httpx.delete": "an httpx.AsyncClient",
    "httpx.request": "an httpx.AsyncClient",
    "urllib.request.urlopen": "an httpx.AsyncClient",
    "subprocess.run": "await asyncio.create_subprocess_exec(...)",
    "subprocess.call": "await asyncio.create_subprocess_exec(...)",
    "subprocess.check_call": "await asyncio.create_subprocess_exec(...)",
    "subprocess.check_output": "await asyncio.create_subprocess_exec(...)",
    "os.system": "await asyncio.create_subprocess_shell(...)",
    "sqlite3.connect": "aiosqlite, or a plain `def` handler",
    "psycopg2.connect": "asyncpg or psycopg's async connection",
    "pymysql.connect": "aiomysql",
}


def check(ctx: Context) -> Iterator[Finding]:
    handlers: dict[int, tuple[FunctionNode, str]] = {}
    for func in route_handlers(ctx):
        if isinstance(func, ast.AsyncFunctionDef):
            handlers[id(func)] = (func, f"handler `{func.name}`")
    for mw in middlewares(ctx):
        if isinstance(mw.func, ast.AsyncFunctionDef):
            handlers.setdefault(id(mw.func), (mw.func, f"middleware `{mw.name}`"))
    for func, what in sorted(handlers.values(), key=lambda item: item[0].lineno):
        for call in _own_calls(func):
            name = ctx.qual(call.func) or ""
            instead = BLOCKING.get(name)
            if instead is None:
                continue
            yield ctx.finding(
                BLOCKING_CALL,
                call,
                f"`{name}(...)` blocks the event loop inside async {what}: every Streamlit session's websocket "
                "stalls until it returns.",
                fix=f"Use {instead}, or `await anyio.to_thread.run_sync(...)`, or make `{func.name}` a plain `def`.",
            )


def _own_calls(func: FunctionNode) -> Iterator[ast.Call]:
    """Calls in ``func``'s own body: not in nested defs or lambdas (those run elsewhere, e.g. in a thread)."""
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))
