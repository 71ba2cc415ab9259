"""Load: many MCP clients on the read tools of a real `st-patterns serve` while instances launch and stop.

    python benchmarks/bench_load.py                            # 30 s, 50 clients, churn up to 8 instances
    python benchmarks/bench_load.py --seconds 5 --clients 10   # smoke check (~35 s with start-up)

Phases, in one run, traffic only to 127.0.0.1:
  1. bare     : a bare FastMCP server (benchmarks/bare_fastmcp.py), trivial `echo` tool, N clients, --baseline-seconds
  2. quiet    : st-patterns read tools, N clients, --baseline-seconds, nothing launching
  3. load     : st-patterns read tools, N clients, --seconds, WHILE one more client launches instances up to
                --instances and stops them again, cycle after cycle
Prints calls, errors (goal 0), p50/p99 per tool and overall, the ratios to the bare tool, and the server's RSS (the
server process alone, and with its children: fork server and instances) before and after the load (goal < 10 %).
On this 2-core machine the clients, the server and the instances share the cores: the ratios matter, not the ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from _common import free_port, pct, running, st_patterns_cmd, stop_process, wait_for
from fastmcp import Client

HERE = Path(__file__).resolve().parent
READ_TOOLS = ("list_patterns", "get_pattern", "explain_pattern", "list_instances")
CALL_TIMEOUT = 60.0  # seconds; a slower answer counts as an error
LAUNCH_TIMEOUT = 90.0
GROWTH_GOAL = 0.10
MB = 2**20


@dataclass
class Stats:
    """Latencies (ms) and errors per tool for one phase."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)  # first error text per tool

    def error(self, tool: str, exc: BaseException) -> None:
        self.errors[tool] += 1
        self.samples.setdefault(tool, f"{type(exc).__name__}: {str(exc)[:200]}")

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())

    def overall(self) -> list[float]:
        return [ms for tool, values in self.latencies.items() for ms in values]


async def timed(stats: Stats, tool: str, call: Awaitable[Any], timeout: float = CALL_TIMEOUT) -> Any:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(call, timeout)
    except Exception as exc:
        stats.error(tool, exc)
        return None
    stats.latencies[tool].append((time.perf_counter() - started) * 1000)
    return result


# -- clients ---------------------------------------------------------------------------------------------------
Call = tuple[str, dict[str, Any]]


def read_calls(ids: list[str]) -> Callable[[int], Call]:
    """The n-th call of a reader: the four read tools in turn, over every pattern id."""

    def nth(n: int) -> Call:
        tool = READ_TOOLS[n % len(READ_TOOLS)]
        pattern_id = ids[(n // len(READ_TOOLS)) % len(ids)]
        return tool, ({"pattern_id": pattern_id} if tool in ("get_pattern", "explain_pattern") else {})

    return nth


async def readers(
    url: str,
    clients: int,
    seconds: float,
    calls: Callable[[int], Call],
    stats: Stats,
    go: asyncio.Event | None = None,
) -> float:
    """Open ``clients`` sessions, then all call in a loop for ``seconds`` (``go`` is set then); return the seconds."""
    async with contextlib.AsyncExitStack() as stack:
        sessions: list[Client] = []
        for opened in await asyncio.gather(
            *(asyncio.wait_for(stack.enter_async_context(Client(url)), CALL_TIMEOUT) for _ in range(clients)),
            return_exceptions=True,
        ):
            if isinstance(opened, BaseException):
                stats.error("open session", opened)
            else:
                sessions.append(opened)
        started = time.perf_counter()
        deadline = started + seconds
        if go is not None:
            go.set()

        async def loop(client: Client, offset: int) -> None:
            n = offset
            while time.perf_counter() < deadline:
                tool, args = calls(n)
                await timed(stats, tool, client.call_tool(tool, args, raise_on_error=True))
                n += 1

        await asyncio.gather(*(loop(client, i * 7) for i, client in enumerate(sessions)))
        return time.perf_counter() - started


@dataclass
class Churn:
    stats: Stats = field(default_factory=Stats)
    cycles: int = 0
    peak_running: int = 0


async def churn(url: str, ids: list[str], cap: int, go: asyncio.Event, seconds: float, out: Churn) -> None:
    """Once ``go`` is set, launch instances up to ``cap``, stop them one by one, repeat for ``seconds``."""
    async with Client(url) as client:
        await go.wait()
        stop_at = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < stop_at:
            live: list[str] = []
            while len(live) < cap and time.perf_counter() < stop_at:
                pattern_id = ids[n % len(ids)]
                n += 1
                args = {"pattern_id": pattern_id}
                result = await timed(
                    out.stats, "launch_pattern", client.call_tool("launch_pattern", args), LAUNCH_TIMEOUT
                )
                if result is not None:
                    live.append(result.structured_content["id"])
                    out.peak_running = max(out.peak_running, len(live))
            for instance_id in live:
                await timed(out.stats, "stop_instance", client.call_tool("stop_instance", {"instance_id": instance_id}))
            out.cycles += 1
        await timed(out.stats, "stop_all_instances", client.call_tool("stop_all_instances", {}))


# -- server processes ------------------------------------------------------------------------------------------
def rss(pid: int) -> tuple[float, float]:
    """RSS in MiB of the process alone, and of the process plus every descendant."""
    proc = psutil.Process(pid)
    own = proc.memory_info().rss
    total = own
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return own / MB, total / MB


@contextlib.contextmanager
def st_patterns_server(tmp: Path, port: int, instances: int, dashboard: bool) -> Iterator[subprocess.Popen[bytes]]:
    """`st-patterns serve` on 127.0.0.1; on exit SIGTERM it, then SIGKILL whatever it started that is still alive."""
    cmd = [*st_patterns_cmd(), "serve", "--port", str(port), "--state-dir", str(tmp / "state")]
    cmd += ["--max-instances", str(max(1, instances)), *([] if dashboard else ["--no-dashboard"])]
    log = tmp / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "ST_PATTERNS_TOKEN"}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, env=env)
    seen: set[int] = set()
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", timeout=90)
        yield proc
    except BaseException:
        print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        with contextlib.suppress(psutil.Error):
            seen = {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
        stop_process(proc, timeout=30)
        for pid in seen:  # only processes this server started (their ids were taken while it ran)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# -- report ----------------------------------------------------------------------------------------------------
def row(phase: str, tool: str, values: list[float], errors: int, seconds: float | None = None) -> str:
    rate = f"{len(values) / seconds:>8.0f}" if seconds else f"{'':>8}"
    if not values:
        return f"{phase:<8} {tool:<18} {0:>7} {errors:>6} {rate} {'-':>8} {'-':>8}"
    return f"{phase:<8} {tool:<18} {len(values):>7} {errors:>6} {rate} {pct(values, 50):>8.1f} {pct(values, 99):>8.1f}"


def print_phase(phase: str, stats: Stats, seconds: float) -> None:
    for tool in sorted(set(stats.latencies) | set(stats.errors)):
        print(row(phase, tool, stats.latencies.get(tool, []), stats.errors[tool]))
    print(row(phase, "OVERALL", stats.overall(), sum(stats.errors.values()), seconds))
    for tool, text in stats.samples.items():
        print(f"         first {tool} error: {text}")


async def run(opts: argparse.Namespace, sp_url: str, bare_url: str, server_pid: int) -> int:
    async with Client(sp_url) as client:  # warm-up: every read tool, and one launch (starts the fork server's work)
        ids = [p["id"] for p in (await client.call_tool("list_patterns", {})).structured_content["patterns"]]
        for tool, args in (read_calls(ids)(n) for n in range(len(READ_TOOLS) * 2)):
            await client.call_tool(tool, args)
        inst = (await client.call_tool("launch_pattern", {"pattern_id": ids[0]})).structured_content
        await client.call_tool("stop_instance", {"instance_id": inst["id"]})
    churn_ids = opts.patterns.split(",") if opts.patterns else ids

    bare, quiet, load = Stats(), Stats(), Stats()
    bare_s = await readers(bare_url, opts.clients, opts.baseline_seconds, lambda n: ("echo", {"text": "x"}), bare)
    quiet_s = await readers(sp_url, opts.clients, opts.baseline_seconds, read_calls(ids), quiet)
    before = rss(server_pid)

    peak = list(before)

    async def sample_rss(stop: asyncio.Event) -> None:
        while not stop.is_set():
            own, total = rss(server_pid)
            peak[0], peak[1] = max(peak[0], own), max(peak[1], total)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)

    churned = Churn()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(stop))
    load_s = 0.0
    after_rounds: list[tuple[float, float]] = []
    for _ in range(opts.rounds):  # more rounds tell bounded warm-up (flat) from a leak (steady climb)
        go = asyncio.Event()  # the churn starts when the readers do and stops launching when they stop
        load_task = readers(sp_url, opts.clients, opts.seconds, read_calls(ids), load, go)
        churn_task = churn(sp_url, churn_ids, opts.instances, go, opts.seconds, churned) if opts.instances else None
        seconds, *_ = await asyncio.gather(load_task, *([churn_task] if churn_task else []))
        load_s += seconds
        await asyncio.sleep(2.0)  # let stopped instances be reaped and the server settle
        after_rounds.append(rss(server_pid))
    stop.set()
    await sampler
    after = after_rounds[-1]

    print(
        f"\nst-patterns load: {opts.clients} clients, load {opts.rounds} x {opts.seconds:.0f} s, baselines "
        f"{opts.baseline_seconds:.0f} s, churn up to {opts.instances} instances ({len(churn_ids)} patterns)"
    )
    print(f"{'phase':<8} {'tool':<18} {'calls':>7} {'errors':>6} {'calls/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    print_phase("bare", bare, bare_s)
    print_phase("quiet", quiet, quiet_s)
    print_phase("load", load, load_s)
    print_phase("churn", churned.stats, load_s)
    launches = len(churned.stats.latencies.get("launch_pattern", []))
    print(f"churn: {churned.cycles} cycles, {launches} launches, peak {churned.peak_running} running at once")

    b, q, ld = bare.overall(), quiet.overall(), load.overall()
    if b and q and ld:
        b50, b99 = pct(b, 50), pct(b, 99)
        print(
            f"ratio to bare (p50 / p99): quiet {pct(q, 50) / b50:.2f}x / {pct(q, 99) / b99:.2f}x, "
            f"load {pct(ld, 50) / b50:.2f}x / {pct(ld, 99) / b99:.2f}x"
        )
    growth = after[0] / before[0] - 1
    if len(after_rounds) > 1:
        trail = ", ".join(f"{own:.1f}" for own, _ in after_rounds)
        print(f"server RSS alone after each of {len(after_rounds)} rounds: {trail} MB")
    print(
        f"server RSS, process alone:   before {before[0]:.1f} MB, after {after[0]:.1f} MB "
        f"({growth:+.1%}, goal < {GROWTH_GOAL:.0%}), peak {peak[0]:.1f} MB"
    )
    print(
        f"server RSS, with children:   before {before[1]:.1f} MB, after {after[1]:.1f} MB "
        f"({after[1] / before[1] - 1:+.1%}), peak {peak[1]:.1f} MB (fork server + instances; a sum of RSS counts the "
        "pages forked children share once per child)"
    )
    errors = sum(s.errors.total() for s in (bare, quiet, load, churned.stats))
    verdict = "OK" if errors == 0 and growth < GROWTH_GOAL else "GOAL MISSED"
    print(f"errors: {errors} (goal 0); RSS growth {growth:+.1%} (goal < {GROWTH_GOAL:.0%}): {verdict}")
    return 0 if errors == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="Duration of the load phase (default 30).")
    parser.add_argument(
        "--baseline-seconds", type=float, default=None, help="Bare and quiet phases (default min(seconds, 10))."
    )
    parser.add_argument("--rounds", type=int, default=1, help="Load phases in a row, RSS after each (default 1).")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent MCP sessions (default 50).")
    parser.add_argument(
        "--instances", type=int, default=8, help="Most instances the churn keeps at once (default 8; 0: no churn)."
    )
    parser.add_argument("--patterns", default="", help="Comma-separated ids for the churn (default: every pattern).")
    parser.add_argument("--no-dashboard", action="store_true", help="Serve /mcp only (default: as `serve` does).")
    opts = parser.parse_args()
    if opts.seconds <= 0 or opts.clients < 1 or opts.rounds < 1 or not 0 <= opts.instances <= 64:
        parser.error("--seconds > 0, --clients >= 1, --rounds >= 1 and --instances 0-64 please")
    if opts.baseline_seconds is None:
        opts.baseline_seconds = min(opts.seconds, 10.0)
    with tempfile.TemporaryDirectory(prefix="st-patterns-load-") as tmp:
        tmp_path = Path(tmp)
        sp_port, bare_port = free_port(), free_port()
        bare_cmd = [sys.executable, str(HERE / "bare_fastmcp.py"), str(bare_port)]
        with (
            st_patterns_server(tmp_path, sp_port, opts.instances, not opts.no_dashboard) as server,
            running(bare_cmd, f"http://127.0.0.1:{bare_port}/healthz", tmp_path),
        ):
            cold = rss(server.pid)
            print(f"server pid {server.pid}: RSS at start {cold[0]:.1f} MB alone, {cold[1]:.1f} MB with children")
            budget = (
                opts.rounds * (opts.seconds + 120) + 2 * opts.baseline_seconds + 120
            )  # sessions, warm-up, last launches, stops
            return asyncio.run(
                asyncio.wait_for(
                    run(opts, f"http://127.0.0.1:{sp_port}/mcp", f"http://127.0.0.1:{bare_port}/mcp", server.pid),
                    budget,
                )
            )


if __name__ == "__main__":
    raise SystemExit(main())
