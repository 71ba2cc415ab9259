"""CLI command that proves patterns (``validate``), or the user's app with ``--app``; it runs locally."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from st_patterns.catalog.loader import Catalog
from st_patterns.cli.apps import cmd_validate_app
from st_patterns.cli.sandbox_args import add_sandbox_arguments, sandbox_backend
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.launcher import Launcher
from st_patterns.models import CheckResult, ValidationReport, ValidationSummary
from st_patterns.proving.boot import pattern_boot
from st_patterns.proving.junit import to_junit_xml
from st_patterns.proving.validator import validate_patterns_async


def _launcher(catalog: Catalog, use_fork: bool, log_dir: Path) -> Launcher:
    preload = catalog.preloads()
    return Launcher(use_fork=use_fork, preload=preload, log_dir=log_dir)


def run_validation(
    args: argparse.Namespace,
    catalog: Catalog,
    ids: list[str],
    *,
    on_check: Callable[[str, CheckResult], None] | None = None,
    on_report: Callable[[ValidationReport], None] | None = None,
) -> ValidationSummary:
    """Boot and prove ``ids`` here (fork server, or the sandbox with --sandbox-patterns); shared with skill export."""
    with tempfile.TemporaryDirectory(prefix="st-patterns-validate-") as tmp:
        if getattr(args, "sandbox_patterns", False):
            launcher: Backend = sandbox_backend(args, catalog, Path(tmp), pool=args.concurrency or os.cpu_count() or 2)
            print(f"sandbox: {launcher.info.detail}", file=sys.stderr)
        else:
            launcher = _launcher(catalog, not getattr(args, "no_fork", False), Path(tmp))
        launcher.start()
        try:
            return asyncio.run(
                validate_patterns_async(
                    catalog,
                    ids,
                    pattern_boot(launcher, Path(tmp)),
                    concurrency=getattr(args, "concurrency", None),
                    on_check=on_check,
                    on_report=on_report,
                )
            )
        finally:
            launcher.close()


def cmd_validate(args: argparse.Namespace) -> int:
    if args.app:
        return cmd_validate_app(args)
    catalog = Catalog.load()
    ids = ["all"] if args.all or not args.pattern_ids else args.pattern_ids
    quiet = args.json

    def on_check(pattern_id: str, check: CheckResult) -> None:
        if not quiet and not check.passed:
            print(
                f"  FAIL {pattern_id}: {check.name}\n       expected {check.expected}\n       actual   {check.actual}"
            )

    def on_report(report: ValidationReport) -> None:
        if quiet:
            return
        if report.skipped:
            print(f"SKIP {report.pattern_id}: {report.skipped}")
            return
        mark = "PASS" if report.passed else "FAIL"
        boot = f", boot {report.boot_seconds:.2f} s" if report.boot_seconds is not None else ""
        print(
            f"{mark} {report.pattern_id}: {report.total - report.failed}/{report.total} checks "
            f"({report.seconds:.2f} s{boot})"
        )
        if report.error:
            print(f"  {report.error}")

    summary = run_validation(args, catalog, ids, on_check=on_check, on_report=on_report)
    if args.junit:
        Path(args.junit).write_text(to_junit_xml(summary), encoding="utf-8")
    if quiet:
        print(summary.model_dump_json(indent=2))
    else:
        verdict = "all green" if summary.passed else f"{summary.failed_checks} failed"
        skipped = f", {len(summary.skipped)} skipped" if summary.skipped else ""
        print(
            f"{summary.patterns} patterns, {summary.checks} checks, {verdict}{skipped}; "
            f"wall {summary.seconds:.2f} s (sum of per-pattern times {summary.sum_seconds:.2f} s)"
        )
    if summary.skipped and args.no_skip:
        print("error: --no-skip: skipped " + "; ".join(summary.skipped), file=sys.stderr)
        return 1
    return 0 if summary.passed else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    val = sub.add_parser("validate", help="Boot patterns and prove them with HTTP and websocket probes.")
    val.add_argument("pattern_ids", nargs="*", metavar="ID", help="Pattern ids (default: all).")
    val.add_argument("--all", action="store_true", help="Validate every pattern.")
    val.add_argument("--json", action="store_true", help="Print the full report as JSON.")
    val.add_argument("--junit", metavar="FILE", help="Also write a JUnit XML report.")
    val.add_argument("--concurrency", type=int, default=None, help="Patterns at once (default: cores).")
    val.add_argument("--no-fork", action="store_true", help="Boot cold with uvicorn instead of the fork server.")
    val.add_argument(
        "--no-skip", action="store_true", help="Fail when a pattern is skipped (its sidecar's program is missing)."
    )
    val.add_argument("--app", metavar="PATH", help="Validate your own app (a .py file or folder) instead.")
    val.add_argument("--probes", metavar="FILE", help="With --app: your probes.toml (default: suggested ones).")
    val.add_argument("--entry", metavar="MODULE:ATTR", help="With --app: the ASGI app, if not found by itself.")
    val.add_argument("--health-path", metavar="PATH", help="With --app: the URL path that answers while up.")
    val.add_argument("--allow-user-code", action="store_true", help="With --app: run on the host if no sandbox.")
    add_sandbox_arguments(val)
    val.set_defaults(handler=cmd_validate)
