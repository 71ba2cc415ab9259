"""Prove an agent's own app: boot it (in the sandbox), run the static checker, its probes and the universal checks.

The probes are the agent's own (``probes.toml`` kept in its repository) or the ones ``suggest_probes`` derives from
the code. Every failure says what was expected, what happened, and which pattern to read.

Example::

    result = validate_app(user_app_source(folder), registry.backend_for(source), log_dir=tmp)
    result.passed, [f.name for f in result.failures]
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from st_patterns import checker
from st_patterns.catalog.contract import Probe
from st_patterns.checker.models import CheckReport
from st_patterns.checker.suggest import SuggestedProbes, suggest_for
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.source import AppSource
from st_patterns.instances.state import pick_port
from st_patterns.models import ValidationReport
from st_patterns.proving.boot import boot_spec
from st_patterns.proving.universal import universal_probes
from st_patterns.proving.validator import BootedApp, CheckCallback, Group, run_checks

DEFAULT_PATTERN = {"websocket": "middleware_auth", "http": "route_custom_endpoints"}


class Failure(BaseModel):
    name: str
    expected: str
    actual: str
    see_pattern: str | None = Field(description="The pattern whose reference app does this right.")


class AppValidation(BaseModel):
    """``validate_app``'s answer: static findings, every check run against the booted app, and the failures."""

    app: str = Field(description="The entry that was booted, as 'file:attr' in its folder.")
    passed: bool = Field(description="True when no check failed and the checker found no error.")
    static: CheckReport
    probes_from: Literal["given", "suggested"]
    suggested: SuggestedProbes | None = Field(description="What the suggestion saw, when the probes were suggested.")
    dynamic: ValidationReport
    skipped: list[str] = Field(description="Checks not run, and why (e.g. a guarded page without a login probe).")
    failures: list[Failure] = Field(description="Each failed check and error-level finding, with the pattern to read.")


GUARDED_SKIP = (
    "the universal page and websocket checks: the app refuses them without a session; add a login probe with a "
    "jar to run them logged in"
)
Groups = list[tuple[Group, list[Probe]]]


def _groups(source: AppSource, probes: Sequence[Probe], guarded: bool) -> tuple[Groups, list[str]]:
    jar = next((p.jar for p in probes if p.jar), None)
    if guarded and jar is None:
        return [("pattern", list(probes))], [GUARDED_SKIP]
    return [("pattern", list(probes)), ("universal", universal_probes(source.base_path, jar=jar))], []


def validate_app(
    source: AppSource,
    backend: Backend,
    *,
    probes: Sequence[Probe] | None = None,
    log_dir: Path,
    on_check: CheckCallback | None = None,
) -> AppValidation:
    """Blocking (it runs its own event loop, like ``review_app``): call it from a worker thread in async code."""
    entry_file = source.folder / source.entry
    static = checker.check_file(entry_file)
    suggested = None
    if probes is None:
        suggested = suggest_for(source.folder, source.entry, base_path=source.base_path)
        probes = suggested.probes
    guarded = any(p.negative and p.expect_ws == "refused" and not p.forwarded_for for p in probes)
    groups, skipped = _groups(source, probes, guarded)
    log_dir.mkdir(parents=True, exist_ok=True)

    def start() -> BootedApp:
        spec = source.spawn_spec(pick_port("127.0.0.1", set()), log_dir / f"app-{source.name}.log")
        return boot_spec(
            backend, source.name, spec, source.base_path, health_path=source.health_path, up=source.up_statuses
        )

    report = asyncio.run(run_checks(f"{source.entry}:{source.attr}", start, groups, marker="", on_check=on_check))
    failures = [
        Failure(name=c.name, expected=c.expected, actual=c.actual, see_pattern=c.see_pattern or DEFAULT_PATTERN[c.kind])
        for c in report.checks
        if not c.passed
    ]
    if report.error:
        failures.append(Failure(name="boot", expected="the app starts", actual=report.error, see_pattern=None))
    failures += [
        Failure(name=f"{f.rule_id} (line {f.line})", expected=f.fix, actual=f.message, see_pattern=f.see_pattern)
        for f in static.findings
        if f.severity == "error"
    ]
    return AppValidation(
        app=f"{source.entry}:{source.attr}",
        passed=not failures,
        static=static,
        probes_from="given" if suggested is None else "suggested",
        suggested=suggested,
        dynamic=report,
        skipped=skipped,
        failures=failures,
    )
