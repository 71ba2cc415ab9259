"""CLI commands for instances. Instances live in the running server's registry (one source of truth), so these
commands are MCP clients of that server: ``st-patterns launch mount_fastapi`` calls its ``launch_pattern`` tool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

from st_patterns.errors import InvalidInput, StPatternsError

DEFAULT_SERVER = "http://127.0.0.1:8765/mcp"
SERVER_ENV = "ST_PATTERNS_SERVER"


class RemoteError(StPatternsError):
    """Raised when the server refuses a call or cannot be reached."""


async def _call(url: str, token: str | None, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    from fastmcp import Client
    from fastmcp.exceptions import ToolError

    try:
        async with Client(url, auth=token) as client:
            result = await client.call_tool(tool, args)
    except ToolError as exc:
        raise RemoteError(_one_line(str(exc))) from exc
    except (OSError, RuntimeError) as exc:
        raise RemoteError(
            f"Cannot reach the st-patterns server at {url}: {exc}. Start it with `st-patterns serve`."
        ) from exc
    except Exception as exc:  # transport errors of the MCP client have no common base class
        raise RemoteError(f"Call to {tool} at {url} failed: {exc}") from exc
    return dict(result.structured_content or {})


def _one_line(message: str) -> str:
    """Pydantic's multi-line validation reports, folded to one line without the documentation links."""
    parts = [line.strip() for line in message.splitlines() if line.strip() and "errors.pydantic.dev" not in line]
    return " | ".join(parts)


def call(args: argparse.Namespace, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(_call(args.server, args.token, tool, arguments))


def _row(inst: dict[str, Any]) -> str:
    code = "" if inst.get("exit_code") is None else f" exit={inst['exit_code']}"
    limits = inst.get("limits")
    contained = inst.get("sandbox", "none")
    if contained != "none":
        contained += f"({limits['memory_mb']}M,{limits['cpus']:g}cpu,{limits['pids']}p)" if limits else "(no limits)"
    line = f"{inst['id']:<32} {inst['pattern_id']:<28} {inst['status']:<9} pid={inst.get('pid')} sandbox={contained}"
    return f"{line} {inst['url']}{code}"


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> int:
    print(json.dumps(data, indent=2) if args.json else text)
    return 0


def cmd_launch(args: argparse.Namespace) -> int:
    if (args.pattern_id is None) == (args.app is None):
        raise InvalidInput("Pass a pattern id, or --app PATH for your own app (not both).")
    payload: dict[str, Any] = {} if args.port is None else {"port": args.port}
    if args.app is not None:  # the server confines it to its workspace; send it absolute, as meant here
        payload |= {"path": str(Path(args.app).resolve()), "watch": not args.no_watch}
        payload |= {k: v for k, v in (("entry", args.entry), ("health_path", args.health_path)) if v}
        inst = call(args, "launch_app", payload)
    else:
        inst = call(args, "launch_pattern", payload | {"pattern_id": args.pattern_id})
    return _print(args, inst, _row(inst))


def cmd_instances(args: argparse.Namespace) -> int:
    data = call(args, "list_instances", {})
    rows = [_row(i) for i in data.get("instances", [])] or ["no instances"]
    return _print(args, data, "\n".join(rows) + f"\n{data.get('running', 0)} running (cap {data.get('cap')})")


def cmd_instance(args: argparse.Namespace) -> int:
    d = call(args, "get_instance", {"instance_id": args.instance_id})
    text = f"{_row(d)}\nuptime {d.get('uptime_seconds')} s  cpu {d.get('cpu_percent')}%  rss {d.get('rss_mb')} MB"
    return _print(args, d, text)


def cmd_logs(args: argparse.Namespace) -> int:
    query = {"instance_id": args.instance_id, "limit": args.tail}
    if args.offset is not None:
        query["offset"] = args.offset
    d = call(args, "instance_logs", query)
    return _print(args, d, "\n".join(d.get("lines", [])))


def cmd_stop(args: argparse.Namespace) -> int:
    inst = call(args, "stop_instance", {"instance_id": args.instance_id})
    return _print(args, inst, _row(inst))


def cmd_restart(args: argparse.Namespace) -> int:
    inst = call(args, "restart_instance", {"instance_id": args.instance_id})
    return _print(args, inst, _row(inst))


def cmd_stop_all(args: argparse.Namespace) -> int:
    data = call(args, "stop_all_instances", {})
    return _print(args, data, "\n".join(_row(i) for i in data.get("instances", [])) or "no instances")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def add(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text)
        parser.add_argument(
            "--server", default=os.environ.get(SERVER_ENV, DEFAULT_SERVER), help=f"MCP URL (default {DEFAULT_SERVER})."
        )
        parser.add_argument("--token", default=os.environ.get("ST_PATTERNS_TOKEN"), help="Bearer token, if required.")
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(handler=handler)
        return parser

    launch = add("launch", "Launch a pattern's reference app, or your own (--app), on the running server.", cmd_launch)
    launch.add_argument("pattern_id", nargs="?")
    launch.add_argument("--port", type=int, help="Port; omit for a free one.")
    launch.add_argument("--app", metavar="PATH", help="Your app: a .py file or project folder (runs in the sandbox).")
    launch.add_argument("--entry", metavar="MODULE:ATTR", help="With --app: the ASGI app, if not found by itself.")
    launch.add_argument("--no-watch", action="store_true", help="With --app: do not restart on file changes.")
    launch.add_argument("--health-path", metavar="PATH", help="With --app: the URL path that answers while up.")
    add("instances", "List instances of the running server.", cmd_instances)
    add("instance", "Show one instance (status, uptime, CPU, RSS).", cmd_instance).add_argument("instance_id")
    logs = add("logs", "Print an instance's log tail.", cmd_logs)
    logs.add_argument("instance_id")
    logs.add_argument("--tail", type=int, default=100, help="How many lines (the last ones, or from --offset).")
    logs.add_argument("--offset", type=int, default=None, help="First line number (0 = since launch).")
    add("stop", "Stop an instance.", cmd_stop).add_argument("instance_id")
    add("restart", "Restart an instance.", cmd_restart).add_argument("instance_id")
    add("stop-all", "Stop every instance.", cmd_stop_all)
