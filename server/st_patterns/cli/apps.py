"""CLI commands for the user's own app: ``validate --app`` (run locally, in the sandbox) and ``probes init``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.probe_file import dump_probes, load_probes
from st_patterns.checker.suggest import suggest_for
from st_patterns.checker.validate_app import AppValidation, validate_app
from st_patterns.cli.sandbox_args import sandbox_backend
from st_patterns.errors import InvalidInput, SandboxUnavailable, UserCodeRefused
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.launcher import Launcher
from st_patterns.models import ValidationSummary
from st_patterns.projects.app_source import user_app_source
from st_patterns.proving.junit import to_junit_xml

DEFAULT_PROBES_FILE = "st-patterns-probes.toml"


def _backend(args: argparse.Namespace, root: Path) -> Backend:
    reason = "--sandbox none was given"
    if args.sandbox != "none":
        try:
            return sandbox_backend(args, Catalog.load(), root, pool=0)
        except SandboxUnavailable as exc:
            reason = str(exc)
    if args.allow_user_code:
        return Launcher(use_fork=False)
    raise UserCodeRefused(
        f"Validating your app runs it, which needs a sandbox, and {reason}. Install bubblewrap or start Docker, or "
        "pass --allow-user-code to run it unsandboxed on this machine."
    )


def _text(result: AppValidation) -> str:
    lines = []
    for check in result.dynamic.checks:
        mark = "pass" if check.passed else "FAIL"
        lines.append(f"{mark} [{check.group}] {check.name}")
        if not check.passed:
            lines.append(f"     expected {check.expected}\n     actual   {check.actual}")
            if check.see_pattern:
                lines.append(f"     read     st-patterns explain {check.see_pattern}")
    if result.dynamic.error:
        lines.append(f"FAIL boot: {result.dynamic.error}")
    for finding in result.static.findings:
        lines.append(f"{finding.severity} [{finding.rule_id}] line {finding.line}: {finding.message}")
    lines += [f"skipped: {reason}" for reason in result.skipped]
    verdict = "passed" if result.passed else f"{len(result.failures)} failures"
    lines.append(f"{result.app}: {result.dynamic.total} checks ({result.probes_from} probes), {verdict}")
    return "\n".join(lines)


def cmd_validate_app(args: argparse.Namespace) -> int:
    source = user_app_source(Path(args.app).resolve(), args.entry, watch=False, health_path=args.health_path)
    probes = load_probes(Path(args.probes)) if args.probes else None
    with tempfile.TemporaryDirectory(prefix="st-patterns-app-") as tmp:
        backend = _backend(args, Path(tmp))
        backend.start()
        try:
            result = validate_app(source, backend, probes=probes, log_dir=Path(tmp) / "logs")
        finally:
            backend.close()
    if args.junit:
        report = result.dynamic
        summary = ValidationSummary(
            reports=[report],
            passed=result.passed,
            patterns=1,
            checks=report.total,
            failed_checks=report.failed,
            seconds=report.seconds,
            sum_seconds=report.seconds,
        )
        Path(args.junit).write_text(to_junit_xml(summary), encoding="utf-8")
    print(result.model_dump_json(indent=2) if args.json else _text(result))
    return 0 if result.passed else 1


def cmd_probes_init(args: argparse.Namespace) -> int:
    path = Path(args.path).resolve()
    source = user_app_source(path, args.entry, watch=False)
    suggested = suggest_for(source.folder, source.entry, base_path=source.base_path)
    if not suggested.probes:
        raise InvalidInput(
            f"Nothing in {source.entry} to derive probes from; validate --app still runs the universal checks."
        )
    target = Path(args.output) if args.output else source.folder / DEFAULT_PROBES_FILE
    if target.exists() and not args.force:
        raise InvalidInput(f"{target} exists; pass --force to overwrite it, or --output FILE.")
    comments = [
        f"Probes for {source.entry} suggested by st-patterns; keep them in your repository and run",
        (f"  st-patterns validate --app {path.name} --probes {target.name}"),
        "",
        "What the code does:",
    ]
    comments += [f"  - {line}" for line in suggested.seen] + [""] + [f"Note: {note}" for note in suggested.notes]
    target.write_text(dump_probes(suggested.probes, comments), encoding="utf-8")
    print(f"wrote {len(suggested.probes)} probes to {target}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    probes = sub.add_parser("probes", help="Probes for your own app: `probes init PATH` writes suggested ones.")
    psub = probes.add_subparsers(dest="probes_command", required=True, metavar="ACTION")
    init = psub.add_parser("init", help="Write probes derived from your app's code to a file you keep.")
    init.add_argument("path", help="Your app: a .py file or project folder.")
    init.add_argument("--output", help=f"File to write (default {DEFAULT_PROBES_FILE} beside the entry).")
    init.add_argument("--entry", metavar="MODULE:ATTR", help="The ASGI app, if not found by itself.")
    init.add_argument("--force", action="store_true", help="Overwrite an existing file.")
    init.set_defaults(handler=cmd_probes_init)
