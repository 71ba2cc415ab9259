"""Bytes an agent's client receives for a typical flow, beside the same flow on an earlier revision of st-patterns.

    python benchmarks/bench_payloads.py [--baseline-rev 9ddc2c9] [--pattern middleware_auth]

The flow: recommend_pattern -> get_pattern (the first recommendation) -> check_app (its app.py, as an agent would
send its adaptation) -> validate_pattern -> launch_pattern -> stop_instance. Each answer's JSON-RPC result is
measured as sent (the bytes of the message, however it is framed), and split into what the model reads (text
content) and the structured copy. Both servers run from source (this checkout, and the baseline revision checked
out into a temporary worktree) with this same environment, in the same run. Goal: the flow under 15 KB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from _common import free_port, running

REPO = Path(__file__).resolve().parent.parent
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
NEEDS = (
    "add a JSON API next to my Streamlit dashboard",  # the first thing most st.App users build
    "password protect my dashboard so only logged in users see it",  # a guard: the largest reference apps
)


def _message(reply: httpx.Response) -> dict[str, object]:
    """The JSON-RPC message of an answer sent as JSON or as one server-sent event."""
    text = reply.text
    if reply.headers.get("content-type", "").startswith("text/event-stream"):
        text = "".join(line[5:].strip() for line in text.splitlines() if line.startswith("data:"))
    return json.loads(text)


class Session:
    def __init__(self, url: str) -> None:
        self.url, self.http, self.next_id = url, httpx.Client(timeout=120), 1
        init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
        answer = self.http.post(url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init},
                                headers=HEADERS)  # fmt: skip
        self.headers = {**HEADERS, "mcp-session-id": answer.headers["mcp-session-id"]}
        self.http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=self.headers)

    def call(self, tool: str, args: dict[str, object]) -> tuple[dict[str, object], int, int, int]:
        """The result, and its bytes: whole message, text content, structured content."""
        params = {"name": tool, "arguments": args}
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call", "params": params}
        self.next_id += 1
        message = _message(self.http.post(self.url, json=body, headers=self.headers))
        result = message.get("result") or {}
        assert isinstance(result, dict) and not result.get("isError"), (tool, message)
        whole = len(json.dumps(message, separators=(",", ":")).encode())
        text = sum(len(c.get("text", "").encode()) for c in result.get("content", []))
        structured = len(json.dumps(result["structuredContent"]).encode()) if "structuredContent" in result else 0
        return result, whole, text, structured


def _data(result: dict[str, object]) -> dict[str, object]:
    return result.get("structuredContent") or json.loads(result["content"][0]["text"])  # type: ignore[index]


def flow(url: str, need: str) -> list[tuple[str, int, int, int]]:
    """The agent's steps for one need; the pattern is the first recommendation, as an agent would take it."""
    session = Session(url)
    rows = []
    result, *sizes = session.call("recommend_pattern", {"need": need})
    rows.append(("recommend_pattern", *sizes))
    pattern_id = _data(result)["recommendations"][0]["pattern"]["id"]  # type: ignore[index]
    result, *sizes = session.call("get_pattern", {"pattern_id": pattern_id})
    rows.append(("get_pattern", *sizes))
    app = next(f["text"] for f in _data(result)["files"] if f["path"] == "app.py")  # type: ignore[index,union-attr]
    result, *sizes = session.call("check_app", {"source": app})
    rows.append(("check_app", *sizes))
    result, *sizes = session.call("validate_pattern", {"pattern_id": pattern_id})
    rows.append(("validate_pattern", *sizes))
    result, *sizes = session.call("launch_pattern", {"pattern_id": pattern_id})
    rows.append(("launch_pattern", *sizes))
    instance = _data(result)["id"]
    result, *sizes = session.call("stop_instance", {"instance_id": instance})
    rows.append(("stop_instance", *sizes))
    return rows


def _serve(cmd: list[str], state: Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    port = free_port()
    full = [*cmd, "serve", "--port", str(port), "--state-dir", str(state), "--no-dashboard"]
    return port, running(full, f"http://127.0.0.1:{port}/healthz", state, env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-rev", default="9ddc2c9", help="Revision to compare with (before issue 16).")
    args = parser.parse_args()
    results: dict[tuple[str, str], list[tuple[str, int, int, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-payloads-") as tmp:
        root = Path(tmp)
        old = root / "baseline"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), args.baseline_rev],
                       check=True, capture_output=True)  # fmt: skip
        try:
            for name, cmd, env in (
                ("now", [sys.executable, "-m", "st_patterns"],
                 {"PYTHONPATH": str(REPO / "server"), "ST_PATTERNS_CATALOG": str(REPO / "patterns")}),
                (f"baseline {args.baseline_rev}", [sys.executable, "-m", "st_patterns"],
                 {"PYTHONPATH": str(old / "server"), "ST_PATTERNS_CATALOG": str(old / "patterns")}),
            ):  # fmt: skip
                state = root / name.replace(" ", "-")
                state.mkdir()
                port, server = _serve(cmd, state, env)
                with server:
                    for need in NEEDS:
                        results[(name, need)] = flow(f"http://127.0.0.1:{port}/mcp", need)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], capture_output=True)
    names = list(dict.fromkeys(name for name, _ in results))
    for need in NEEDS:
        print(f"\nneed {need!r}: bytes of each answer as sent (text the model reads / structured copy)")
        print(f"{'call':<18}" + "".join(f"{n:>34}" for n in names))
        runs = [results[(n, need)] for n in names]
        for i, (tool, *_) in enumerate(runs[0]):
            print(f"{tool:<18}" + "".join(f"{r[i][1]:>10,} ({r[i][2]:>6,} / {r[i][3]:>6,})" for r in runs))
        wire = [sum(row[1] for row in r) for r in runs]
        text = [sum(row[2] for row in r) for r in runs]
        print(f"{'total as sent':<18}" + "".join(f"{t:>34,}" for t in wire))
        print(f"{'total text':<18}" + "".join(f"{t:>34,}" for t in text))
        print(
            f"as sent {wire[0] / 1024:.1f} KiB vs {wire[1] / 1024:.1f} KiB ({wire[0] / wire[1]:.2f}x); text the model "
            f"reads {text[0] / 1024:.1f} KiB vs {text[1] / 1024:.1f} KiB; goal: the flow under 15 KB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
