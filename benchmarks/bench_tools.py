"""MCP tool-call latency over streamable HTTP on loopback: st-patterns read tools beside a bare FastMCP tool.

    python benchmarks/bench_tools.py [--calls 200] [--clients 1,50]

Both servers run as separate uvicorn processes in the same run; the figures that matter are the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import free_port, median, pct, running, st_patterns_cmd
from fastmcp import Client

HERE = Path(__file__).resolve().parent


async def _client_loop(url: str, tool: str, args: dict[str, object], calls: int, out: list[float]) -> int:
    errors = 0
    async with Client(url) as client:
        for _ in range(calls):
            started = time.perf_counter()
            try:
                await client.call_tool(tool, args)
            except Exception:
                errors += 1
            out.append((time.perf_counter() - started) * 1000)
    return errors


HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
}


async def _raw_loop(url: str, tool: str, args: dict[str, object], calls: int, out: list[float]) -> int:
    """JSON-RPC over plain httpx: the server's cost without the MCP client's output-schema validation."""
    errors = 0
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(url, json=INIT, headers=HEADERS)
        headers = {**HEADERS, "mcp-session-id": answer.headers["mcp-session-id"]}
        await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        for i in range(calls):
            body = {"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}
            started = time.perf_counter()
            reply = await http.post(url, json=body, headers=headers)
            out.append((time.perf_counter() - started) * 1000)
            errors += reply.status_code != 200 or '"isError":true' in reply.text
    return errors


async def measure(
    url: str, tool: str, args: dict[str, object], calls: int, clients: int, raw: bool = False
) -> tuple[float, float, int]:
    latencies: list[float] = []
    per_client = max(1, calls // clients)
    loop = _raw_loop if raw else _client_loop
    errors = await asyncio.gather(*(loop(url, tool, args, per_client, latencies) for _ in range(clients)))
    return median(latencies), pct(latencies, 99), sum(errors)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--clients", default="1,50")
    opts = parser.parse_args()
    client_counts = [int(c) for c in opts.clients.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        sp, bp = free_port(), free_port()
        sp_cmd = [*st_patterns_cmd(), "serve", "--port", str(sp), "--state-dir", str(tmp_path / "state")]
        bare_cmd = [sys.executable, str(HERE / "bare_fastmcp.py"), str(bp)]
        with (
            running(sp_cmd, f"http://127.0.0.1:{sp}/healthz", tmp_path),
            running(bare_cmd, f"http://127.0.0.1:{bp}/healthz", tmp_path),
        ):
            cases = [
                ("bare echo", f"http://127.0.0.1:{bp}/mcp", "echo", {"text": "x"}),
                ("list_patterns", f"http://127.0.0.1:{sp}/mcp", "list_patterns", {}),
                ("get_pattern", f"http://127.0.0.1:{sp}/mcp", "get_pattern", {"pattern_id": "middleware_auth"}),
                ("explain_pattern", f"http://127.0.0.1:{sp}/mcp", "explain_pattern", {"pattern_id": "mount_django"}),
            ]
            print(f"{'client':<7} {'tool':<16} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} ", end="")
            print(f"{'x bare p50':>10} {'errors':>6}")
            for raw in (False, True):
                for clients in client_counts:
                    base_p50 = None
                    for name, url, tool, args in cases:
                        asyncio.run(measure(url, tool, args, 10, 1, raw))  # warm-up
                        p50, p99, errors = asyncio.run(measure(url, tool, args, opts.calls, clients, raw))
                        base_p50 = base_p50 or p50
                        kind = "raw" if raw else "fastmcp"
                        ratio = p50 / base_p50
                        print(f"{kind:<7} {name:<16} {clients:>7} {p50:>8.2f} {p99:>8.2f} {ratio:>10.2f} {errors:>6}")
            print("fastmcp = fastmcp.Client (validates each result against the tool's output schema, client-side);")
            print("raw = JSON-RPC over httpx, so the figures are the server's own cost.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
