"""``st-patterns check PATH...`` and ``st-patterns rules``: the static checker with a linter's conventions.

Exit status: 0 when no finding at or above ``--fail-on`` (default: error) remains, 1 when one does, 2 when the
check could not run (a missing path, an unknown rule id, invalid settings, a refused ``--dynamic``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from st_patterns.catalog.loader import Catalog
from st_patterns.checker import RULES
from st_patterns.checker.config import CheckConfig, find_config, load_config
from st_patterns.checker.formats import to_github, to_sarif, to_text
from st_patterns.checker.review import review_app
from st_patterns.checker.run import CheckRun, check_paths
from st_patterns.cli.sandbox_args import add_sandbox_arguments, sandbox_backend
from st_patterns.errors import InvalidInput, SandboxUnavailable, StPatternsError
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.launcher import Launcher
from st_patterns.projects.streamlit_version import given

FORMATS = ("text", "json", "sarif", "github")
USAGE_ERROR = 2


def _ids(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def settings_for(args: argparse.Namespace, start: Path) -> CheckConfig:
    """The project's ``[tool.st-patterns]`` (or ``--config FILE``), with the command line's flags on top."""
    if args.config:
        import tomllib

        path = Path(args.config)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"Cannot read --config {str(path)!r}: {exc}.") from exc
        table = data.get("tool", {}).get("st-patterns", {}) if isinstance(data.get("tool"), dict) else {}
        config = load_config(table if isinstance(table, dict) else {}, str(path))
    else:
        config = find_config(start)
    update: dict[str, object] = {}
    if args.select:
        update["select"] = _ids(args.select)
    if args.ignore:
        update["ignore"] = [*config.ignore, *_ids(args.ignore)]
    if args.fail_on:
        update["fail_on"] = args.fail_on
    return config.model_copy(update=update)


def render(run: CheckRun, fmt: str) -> str:
    if fmt == "json":
        return run.model_dump_json(indent=2)
    if fmt == "sarif":
        return to_sarif(run.located(), RULES)
    if fmt == "github":
        return to_github(run.located())
    return to_text(run.located())


def cmd_check(args: argparse.Namespace) -> int:
    fmt = "json" if args.json else args.format
    try:
        if any(not p.strip() for p in args.paths):
            raise InvalidInput("An empty path was given; pass .py files or project folders (e.g. `check .`).")
        paths = [Path(p) for p in args.paths]
        if args.dynamic:
            return _dynamic(args, paths)
        config = settings_for(args, paths[0])
        run = check_paths(paths, config, streamlit=given(args.streamlit) if args.streamlit else None)
    except StPatternsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    output = render(run, fmt)
    if args.output:
        Path(args.output).write_text(output + "\n", encoding="utf-8")
    elif output:
        print(output)
    if fmt == "text" or args.output:
        summary = f"{run.checked} files checked: {run.errors} errors, {run.warnings} warnings, {run.infos} infos"
        summary += f" ({run.suppressed} silenced by ignore comments)" if run.suppressed else ""
        print(summary, file=sys.stderr)
    return 1 if run.failed else 0


def _dynamic(args: argparse.Namespace, paths: list[Path]) -> int:
    """``--dynamic``: one module, statically and booted (in the sandbox); prints the AppReview."""
    if len(paths) != 1 or paths[0].is_dir():
        raise InvalidInput("--dynamic boots one module: pass a single .py file (validate --app takes folders).")
    sandbox: Backend | None = None
    host: Launcher | None = None
    reason = "no sandbox is configured"
    with tempfile.TemporaryDirectory(prefix="st-patterns-check-") as tmp:
        if args.sandbox != "none":
            try:
                sandbox = sandbox_backend(args, Catalog.load(), Path(tmp), pool=0)
            except SandboxUnavailable as exc:
                reason = str(exc)
        if sandbox is None and args.allow_user_code:
            host = Launcher(use_fork=False)
        for backend in (sandbox, host):
            if backend is not None:
                backend.start()
        try:
            review = review_app(
                path=paths[0],
                dynamic=True,
                allow_user_code=args.allow_user_code,
                sandbox=sandbox,
                host=host,
                no_sandbox_reason=reason if args.sandbox != "none" else "--sandbox none was given",
            )
        finally:
            for backend in (sandbox, host):
                if backend is not None:
                    backend.close()
    if args.json or args.format == "json":
        print(review.model_dump_json(indent=2))
    else:
        print(to_text([(str(paths[0]), f) for f in review.findings]))
        if review.dynamic is not None:
            for c in review.dynamic.checks:
                print(f"{'pass' if c.passed else 'FAIL'} (booted) {c.name}: {c.actual}")
            if review.dynamic.error:
                print(f"FAIL (booted): {review.dynamic.error}")
    return 0 if review.ok else 1


def cmd_rules(args: argparse.Namespace) -> int:
    if args.json:
        import json

        print(json.dumps([{k: v for k, v in vars(r).items()} for r in RULES], indent=2))
        return 0
    for rule in RULES:
        see = f" (pattern: {rule.see_pattern})" if rule.see_pattern else ""
        print(f"{rule.id} [{rule.severity}] {rule.title}{see}\n    {rule.explanation}\n    fix: {rule.fix}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chk = sub.add_parser(
        "check",
        help="Statically check your st.App code: files, or whole project folders (imports followed).",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chk.add_argument("paths", nargs="+", metavar="PATH", help=".py files and/or project folders.")
    chk.add_argument("--format", choices=FORMATS, default="text", help="Output format (default text).")
    chk.add_argument("--json", action="store_true", help="Same as --format json.")
    chk.add_argument("--select", action="append", metavar="RULES", help="Only these rule ids (comma-separated).")
    chk.add_argument("--ignore", action="append", metavar="RULES", help="Never report these rule ids.")
    chk.add_argument("--fail-on", choices=("error", "warning", "info"), help="Lowest severity that fails (exit 1).")
    chk.add_argument(
        "--streamlit",
        metavar="VERSION",
        help="Check for this Streamlit release (default: the project's lock file, requirements or pyproject.toml).",
    )
    chk.add_argument("--config", metavar="FILE", help="Read [tool.st-patterns] from FILE, not the nearest one.")
    chk.add_argument("--output", metavar="FILE", help="Write the report to FILE (e.g. results.sarif).")
    chk.add_argument(
        "--dynamic", action="store_true", help="Also boot the file and run the universal checks (in the sandbox)."
    )
    chk.add_argument("--allow-user-code", action="store_true", help="With --dynamic: run on the host if no sandbox.")
    add_sandbox_arguments(chk, patterns=False)
    chk.set_defaults(handler=cmd_check)

    rules = sub.add_parser("rules", help="List the checker's rules: id, severity, what each finds, the fix.")
    rules.add_argument("--json", action="store_true")
    rules.set_defaults(handler=cmd_rules)
