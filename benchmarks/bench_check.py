"""`st-patterns check` on a generated 50-file project, beside `ruff check` of the same folder.

    python benchmarks/bench_check.py [--files 50] [--runs 5]

The project looks like a real one grown around st.App: an entry that mounts the App and composes lifespans,
routers with a dozen handlers each, pure ASGI and BaseHTTPMiddleware middleware, settings, services and helpers,
every module importing a few siblings (so project mode has links to follow). Prints median wall seconds of the
whole command (process start and imports included) and of the checker alone (in-process), beside ruff's wall
time. Goal: <= 1 s for 50 files on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import st_patterns_cmd

ROUTER = '''
"""Routes for area {n}."""

from fastapi import APIRouter, HTTPException

from helpers_{h} import clean_{h}, score_{h}
from settings import LIMIT

router = APIRouter(prefix="/api/area{n}")

'''
HANDLER = '''

@router.get("/item{i}")
async def item_{i}(q: str = "") -> dict[str, object]:
    """Item {i}: cleaned, scored, bounded."""
    text = clean_{h}(q)
    if len(text) > LIMIT:
        raise HTTPException(status_code=400, detail="too long")
    return {{"item": {i}, "score": score_{h}(text), "text": text}}
'''
MIDDLEWARE = '''
"""Header middleware {n} (pure ASGI: sees http and websocket scopes alike)."""

from starlette.datastructures import MutableHeaders


class Stamp{n}:
    def __init__(self, app, value: str = "{n}") -> None:
        self.app = app
        self.value = value

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-stamp-{n}", self.value)
            await send(message)

        await self.app(scope, receive, stamped)
'''
HELPER = '''
"""Text helpers {n}."""

import re

WORD = re.compile(r"\\w+")


def clean_{n}(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def score_{n}(text: str) -> int:
    total = 0
    for word in text.split():
        total += len(word) % 7
        if word.startswith(("a", "e", "i", "o", "u")):
            total += 1
    return total


class Cache{n}:
    def __init__(self) -> None:
        self.items: dict[str, int] = {{}}

    def get(self, key: str) -> int | None:
        return self.items.get(key)

    def put(self, key: str, value: int) -> None:
        if len(self.items) > 1000:
            self.items.clear()
        self.items[key] = value
'''
SERVICE = '''
"""Service {n}: a background refresher started by the lifespan and cancelled at shutdown."""

import asyncio
from contextlib import asynccontextmanager

from helpers_{h} import Cache{h}

CACHE = Cache{h}()


async def refresh_{n}() -> None:
    while True:
        CACHE.put("tick", (CACHE.get("tick") or 0) + 1)
        await asyncio.sleep(60)


@asynccontextmanager
async def service_lifespan_{n}(app):
    task = asyncio.create_task(refresh_{n}())
    yield
    task.cancel()
'''
ENTRY = '''
"""Entry: FastAPI root, Streamlit at /dashboard, every service's lifespan composed with Streamlit's."""

from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware import Middleware
from streamlit.starlette import App

{imports}

st_app = App(Path(__file__).resolve().parent / "ui.py")


@asynccontextmanager
async def lifespan(app):
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(st_app.lifespan()(app))
{enter}
        yield


app = FastAPI(lifespan=lifespan, middleware=[{middleware}])
{include}
app.mount("/dashboard", st_app)
'''


def generate(root: Path, files: int) -> int:
    """Write a project of ``files`` modules under ``root``; returns its line count."""
    routers = max(files // 4, 1)
    middlewares = max(files // 10, 1)
    services = max(files // 10, 1)
    helpers = max(files - routers - middlewares - services - 3, 1)
    out: dict[str, str] = {"settings.py": "LIMIT = 200\nNAME = 'bench'\n", "ui.py": "import streamlit as st\n"}
    for n in range(helpers):
        out[f"helpers_{n}.py"] = HELPER.format(n=n)
    for n in range(routers):
        h = n % helpers
        out[f"routes_{n}.py"] = ROUTER.format(n=n, h=h) + "".join(HANDLER.format(i=i, h=h) for i in range(12))
    for n in range(middlewares):
        out[f"middleware_{n}.py"] = MIDDLEWARE.format(n=n)
    for n in range(services):
        out[f"service_{n}.py"] = SERVICE.format(n=n, h=n % helpers)
    imports = [f"from routes_{n} import router as router_{n}" for n in range(routers)]
    imports += [f"from middleware_{n} import Stamp{n}" for n in range(middlewares)]
    imports += [f"from service_{n} import service_lifespan_{n}" for n in range(services)]
    out["app.py"] = ENTRY.format(
        imports="\n".join(imports),
        enter="\n".join(f"        await stack.enter_async_context(service_lifespan_{n}(app))" for n in range(services)),
        middleware=", ".join(f"Middleware(Stamp{n})" for n in range(middlewares)),
        include="\n".join(f"app.include_router(router_{n})" for n in range(routers)),
    )
    lines = 0
    for name, text in out.items():
        body = textwrap.dedent(text).lstrip()
        (root / name).write_text(body)
        lines += body.count("\n")
    return lines


def timed(cmd: list[str], runs: int) -> tuple[float, int]:
    times = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        code = subprocess.run(cmd, capture_output=True, text=True, check=False).returncode
        times.append(time.perf_counter() - started)
    return statistics.median(times), code


def in_process(root: Path, runs: int) -> tuple[float, int, int]:
    from st_patterns.checker.project_mode import check_folder

    times = []
    report = check_folder(root)  # warm: imports and the regex caches, as in a long-lived server
    for _ in range(runs):
        started = time.perf_counter()
        report = check_folder(root)
        times.append(time.perf_counter() - started)
    findings = sum(len(r.findings) for r in report.files)
    return statistics.median(times), report.checked, findings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="st-patterns-bench-check-") as tmp:
        root = Path(tmp)
        lines = generate(root, opts.files)
        engine, checked, findings = in_process(root, opts.runs)
        cli, code = timed([*st_patterns_cmd(), "check", str(root)], opts.runs)
        ruff = Path(sys.executable).with_name("ruff")
        ruff_wall, _ = timed([str(ruff), "check", "--no-cache", "--isolated", str(root)], opts.runs)
    print(f"project: {checked} files, {lines} lines; st-patterns findings: {findings} (exit {code})")
    print(f"{'tool':<36} {'median wall s':>13}")
    print(f"{'st-patterns check (whole command)':<36} {cli:>13.3f}")
    print(f"{'st-patterns check (checker alone)':<36} {engine:>13.3f}")
    print(f"{'ruff check --no-cache (baseline)':<36} {ruff_wall:>13.3f}")
    print("goal: st-patterns check of a 50-file project <= 1 s on 2 cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
