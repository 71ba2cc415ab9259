"""The command-line face: ``st-patterns serve | stdio | list | show | explain | recommend | ...``.

Every command is one call into the core (or, for instance commands, into the running server over MCP).
Core errors are printed once, in ``main``, as ``error: ...`` with exit status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from st_patterns import __version__
from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.recommend import recommend
from st_patterns.cli import apps, check, matrix, remote, sandbox_cmds, skill, validate
from st_patterns.cli.sandbox_args import add_sandbox_arguments, sandbox_settings
from st_patterns.errors import StPatternsError
from st_patterns.models import PatternSummary
from st_patterns.services import current
from st_patterns.settings import Settings

Handler = Callable[[argparse.Namespace], int]


def _emit(args: argparse.Namespace, model: BaseModel | list[BaseModel], text: str) -> None:
    if getattr(args, "json", False):
        data = [m.model_dump(mode="json") for m in model] if isinstance(model, list) else model.model_dump(mode="json")
        print(json.dumps(data, indent=2))
    else:
        print(text)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from st_patterns.asgi.app import build_app

    settings = Settings(
        host=args.host,
        port=args.port,
        allow_user_code=args.allow_user_code,
        max_instances=args.max_instances,
        use_fork=not args.no_fork,
        dashboard=not args.no_dashboard,
        allowed_hosts=args.allowed_host or [],
        **sandbox_settings(args),
        **({"workspace": Path(args.workspace).resolve()} if args.workspace else {}),
        **({"token": args.token} if args.token else {}),
        **({"state_dir": Path(args.state_dir)} if args.state_dir else {}),
    )
    settings.require_safe_bind()
    app = build_app(settings)
    print(f"st-patterns {__version__}: MCP at http://{args.host}:{args.port}/mcp", file=sys.stderr)
    print(f"sandbox: {current().sandbox_info.detail}", file=sys.stderr)
    if settings.dashboard:
        print(f"dashboard at http://{args.host}:{args.port}/dashboard/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, proxy_headers=False)
    return 0


def cmd_stdio(args: argparse.Namespace) -> int:
    from st_patterns.asgi.app import serve_stdio

    state: dict[str, Path] = {"state_dir": Path(args.state_dir)} if args.state_dir else {}
    if args.workspace:
        state["workspace"] = Path(args.workspace).resolve()
    serve_stdio(
        Settings(use_fork=not args.no_fork, allow_user_code=args.allow_user_code, **sandbox_settings(args), **state)
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    found = Catalog.load().list(category=args.category, query=args.query, streamlit_version=args.streamlit)
    width = max((len(s.id) for s in found), default=0)

    def stands(s: PatternSummary) -> str:
        if s.on_version is not None:
            return f"{s.on_version.status:<9} "
        return f"{s.streamlit or '?':<15} "

    text = "\n".join(f"{s.id:<{width}}  {s.category:<8}  {stands(s)} {s.summary}" for s in found)
    text = text or "no pattern matches"
    _emit(args, found, text)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    detail = Catalog.load().detail(args.pattern_id, args.streamlit)
    lines = [f"{detail.title} [{detail.id}, {detail.category}]", detail.summary, "", f"run: {detail.run}"]
    lines += [f"proven on Streamlit {detail.streamlit or '(not recorded)'}"]
    if detail.on_version is not None:
        lines += [f"on {detail.on_version.version}: {detail.on_version.status}: {detail.on_version.detail}"]
    lines += [""]
    lines += ["paths:"] + [f"  {p['path']}  {p['description']}" for p in detail.paths]
    lines += ["", "pitfalls:"] + [f"  - {p}" for p in detail.pitfalls]
    lines += ["", "files:"] + [f"  {f.path}" for f in detail.files]
    if args.file:
        lines = [Catalog.load().get(args.pattern_id).read_file(args.file)]
    _emit(args, detail, "\n".join(lines))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    explanation = Catalog.load().get(args.pattern_id).explanation
    _emit(args, explanation, explanation.markdown)
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    found = recommend(Catalog.load(), " ".join(args.need), args.limit)
    text = "\n".join(f"{r.pattern.id} ({r.score}): {r.reason}" for r in found)
    _emit(args, found, text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="st-patterns", description="Streamlit + Starlette/FastAPI patterns, over MCP."
    )
    parser.add_argument("--version", action="version", version=f"st-patterns {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="More logging on stderr.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="Run the MCP server (/mcp) and the dashboard (/dashboard) on one port.")
    serve.add_argument("--host", default="127.0.0.1", help="Bind address (default 127.0.0.1; others need --token).")
    serve.add_argument("--port", type=int, default=8765, help="Port (default 8765).")
    serve.add_argument("--token", help="Bearer token required on /mcp and for the dashboard (or ST_PATTERNS_TOKEN).")
    serve.add_argument(
        "--allow-user-code",
        action="store_true",
        help="Let user code run unsandboxed on the host when no sandbox works.",
    )
    serve.add_argument("--max-instances", type=int, default=8, help="Cap on running instances (default 8).")
    serve.add_argument("--state-dir", help="Registry and logs directory (default ~/.local/state/st-patterns).")
    serve.add_argument("--no-fork", action="store_true", help="Launch instances cold instead of from the fork server.")
    serve.add_argument("--no-dashboard", action="store_true", help="Serve /mcp only.")
    serve.add_argument(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="Also accept this Host header (DNS-rebinding guard); repeatable; '*' accepts any.",
    )
    serve.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--workspace", metavar="DIR", help="Agents' paths must be inside DIR (default: the cwd).")
    add_sandbox_arguments(serve)
    serve.set_defaults(handler=cmd_serve)

    stdio = sub.add_parser("stdio", help="Run the MCP server over stdio (Claude Desktop, Cursor, ...).")
    stdio.add_argument("--state-dir", help="Registry and logs directory.")
    stdio.add_argument("--no-fork", action="store_true", help="Launch instances cold.")
    stdio.add_argument(
        "--allow-user-code", action="store_true", help="Let user code run on the host without a sandbox."
    )
    stdio.add_argument("--workspace", metavar="DIR", help="Paths must be inside DIR unless the client declares roots.")
    add_sandbox_arguments(stdio)
    stdio.set_defaults(handler=cmd_stdio)

    lst = sub.add_parser("list", help="List patterns.")
    lst.add_argument("--category", choices=["skeleton", "guard", "bridge", "operations"])
    lst.add_argument("--query", help="Words that must all appear.")
    lst.add_argument("--streamlit", metavar="VERSION", help="Answer for this Streamlit release (e.g. 1.58).")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    show = sub.add_parser("show", help="Show a pattern's metadata, or one of its files with --file.")
    show.add_argument("pattern_id")
    show.add_argument("--file", help="Print this file of the pattern, e.g. app.py.")
    show.add_argument("--streamlit", metavar="VERSION", help="Answer for this Streamlit release (e.g. 1.58).")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    explain = sub.add_parser("explain", help="Print a pattern's explanation.")
    explain.add_argument("pattern_id")
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(handler=cmd_explain)

    rec = sub.add_parser("recommend", help="Rank patterns for a need, e.g. st-patterns recommend password login.")
    rec.add_argument("need", nargs="+")
    rec.add_argument("--limit", type=int, default=3)
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(handler=cmd_recommend)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [  # type: ignore[type-arg]
    validate.register,
    check.register,
    matrix.register,
    remote.register,
    sandbox_cmds.register,
    skill.register,
    apps.register,
]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except StPatternsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
