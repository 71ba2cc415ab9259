"""Prove patterns work: boot each reference app in its own process, run its probes and the universal checks,
stop it, and report every check with expected vs actual and timing.

The validator knows nothing of how apps start: it takes a ``Boot`` callable (``proving.boot`` builds one from a
launcher), so the same engine serves the server, the CLI and tests.

Example::

    summary = await validate_patterns_async(catalog, ["mount_fastapi"], pattern_boot(launcher, log_dir))
    summary.passed, summary.reports[0].failed
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import anyio
import httpx

from st_patterns.catalog.contract import Probe
from st_patterns.catalog.loader import Catalog, Pattern
from st_patterns.errors import InvalidInput, StPatternsError
from st_patterns.models import CheckResult, ProbeResult, ValidationReport, ValidationSummary
from st_patterns.proving.probes import ProbeContext, Shutdown, run_probes
from st_patterns.proving.sidecars import SidecarMissing
from st_patterns.proving.universal import universal_probes

ALL = "all"
Group = Literal["pattern", "universal"]
CheckCallback = Callable[[str, CheckResult], Awaitable[None] | None]


@dataclass
class BootedApp:
    """A reference app running for validation; ``stop`` ends its process (and its sidecars). Idempotent.

    ``targets`` are the sidecars' URLs by name, ``variables`` the values probes' placeholders take, ``read_log``
    reads the app's log (or a sidecar's, by name) and ``shutdown`` stops the app alone, timed, for shutdown probes.
    """

    base_url: str
    boot_seconds: float
    stop: Callable[[], None]
    targets: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    read_log: Callable[[str | None], str] | None = None
    shutdown: Callable[[float], Shutdown] | None = None


Boot = Callable[[Pattern], BootedApp]


def resolve_ids(catalog: Catalog, ids: Sequence[str]) -> list[str]:
    """``["all"]`` (or nothing) -> every pattern; otherwise each id checked against the catalog."""
    if not ids or list(ids) == [ALL]:
        return catalog.ids()
    if ALL in ids:
        raise InvalidInput('Pass either "all" or pattern ids, not both.')
    return [catalog.get(pattern_id).id for pattern_id in dict.fromkeys(ids)]


async def run_checks(
    name: str,
    start: Callable[[], BootedApp],
    groups: Sequence[tuple[Group, Sequence[Probe]]],
    marker: str,
    on_check: CheckCallback | None = None,
    stops: list[asyncio.Task[None]] | None = None,
) -> ValidationReport:
    """Boot with ``start`` (in a thread), run each group of probes in order sharing cookie jars, stop.

    Shutdown probes run last, after every group (they stop the app). With ``stops`` the stop is not waited for
    here: it is appended as a task (so the next pattern boots while this one shuts down) and the caller awaits
    them all. An app that cannot boot yields a failed report carrying the reason, not an exception; one whose
    sidecar's program is missing yields a skipped report.
    """
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    checks: list[CheckResult] = []
    try:
        booted = await asyncio.to_thread(start)
    except SidecarMissing as exc:
        seconds = round(time.perf_counter() - started, 3)
        return ValidationReport(
            pattern_id=name, passed=False, checks=[], total=0, failed=0, seconds=seconds, started_at=started_at,
            skipped=str(exc),
        )  # fmt: skip
    except StPatternsError as exc:
        return ValidationReport(
            pattern_id=name,
            passed=False,
            checks=[],
            total=0,
            failed=1,
            seconds=round(time.perf_counter() - started, 3),
            started_at=started_at,
            error=str(exc),
        )
    try:
        jars: dict[str, httpx.Cookies] = {}
        runs: dict[tuple[object, ...], ProbeResult] = {}  # one script run answers every probe asking for it
        context = ProbeContext(
            targets=booted.targets, read_log=booted.read_log, shutdown=booted.shutdown, variables=dict(booted.variables)
        )
        last = [(group, [p for p in probes if p.kind == "shutdown"]) for group, probes in groups]
        ordered = [(group, [p for p in probes if p.kind != "shutdown"]) for group, probes in groups] + last
        for group, probes in ordered:
            if not probes:
                continue

            async def record(result: ProbeResult, group: Group = group) -> None:
                check = CheckResult(**result.model_dump(), group=group)
                checks.append(check)
                if on_check is not None:
                    maybe = on_check(name, check)
                    if maybe is not None:
                        await maybe

            await run_probes(
                booted.base_url, probes, marker=marker, jars=jars, on_result=record, runs=runs, context=context
            )
    finally:
        if stops is None:
            with anyio.CancelScope(shield=True):  # a cancelled run still stops its app (anyio re-cancels awaits)
                await asyncio.to_thread(booted.stop)
        else:
            stops.append(asyncio.create_task(asyncio.to_thread(booted.stop)))
    failed = sum(not c.passed for c in checks)
    return ValidationReport(
        pattern_id=name,
        passed=failed == 0,
        checks=checks,
        total=len(checks),
        failed=failed,
        seconds=round(time.perf_counter() - started, 3),
        boot_seconds=round(booted.boot_seconds, 3),
        started_at=started_at,
    )


async def validate_one(
    pattern: Pattern,
    boot: Boot,
    on_check: CheckCallback | None = None,
    stops: list[asyncio.Task[None]] | None = None,
) -> ValidationReport:
    """The pattern's own probes, then the universal checks (reusing the pattern's login jar, if any)."""
    meta = pattern.meta
    universal = universal_probes(meta.base_path, meta.universal_jar, meta.paths)
    groups: list[tuple[Group, Sequence[Probe]]] = [("pattern", pattern.probes), ("universal", universal)]
    return await run_checks(pattern.id, lambda: boot(pattern), groups, meta.ui_marker, on_check, stops)


async def validate_patterns_async(
    catalog: Catalog,
    ids: Sequence[str],
    boot: Boot,
    *,
    concurrency: int | None = None,
    on_check: CheckCallback | None = None,
    on_report: Callable[[ValidationReport], None] | None = None,
) -> ValidationSummary:
    """Validate patterns in parallel, up to ``concurrency`` (default: the number of cores) at a time."""
    resolved = resolve_ids(catalog, ids)
    width = max(1, concurrency or os.cpu_count() or 2)
    limit = asyncio.Semaphore(width)
    started = time.perf_counter()

    # In parallel runs a pattern's stop overlaps the next pattern's boot; --concurrency 1 keeps one app at a time.
    stops: list[asyncio.Task[None]] = []
    overlap = width > 1

    async def one(pattern_id: str) -> ValidationReport:
        async with limit:
            report = await validate_one(catalog.get(pattern_id), boot, on_check, stops if overlap else None)
        if on_report is not None:
            on_report(report)
        return report

    try:
        reports = list(await asyncio.gather(*(one(pid) for pid in resolved)))
    finally:  # every app is stopped before the run returns, even when it is cancelled
        with anyio.CancelScope(shield=True):
            await asyncio.gather(*stops, return_exceptions=True)
    return ValidationSummary(
        reports=reports,
        passed=all(r.passed for r in reports if r.skipped is None),
        skipped=[f"{r.pattern_id}: {r.skipped}" for r in reports if r.skipped is not None],
        patterns=len(reports),
        checks=sum(r.total for r in reports),
        failed_checks=sum(r.failed for r in reports),
        seconds=round(time.perf_counter() - started, 3),
        sum_seconds=round(sum(r.seconds for r in reports), 3),
    )
