"""Prove every pattern on every Streamlit release: one cached environment per release, every pattern booted in it
and put through its probes and the universal checks. The answer is a pattern x release table whose red cells
name their first failing check.

Releases run one after another (each with its own warm fork server, patterns in parallel inside it); progress is
reported per environment and per pattern, and a cancelled run stops its apps and fork server on the way out.

Example::

    report = await run_matrix(catalog, ["1.53.1", "1.67.0"], ["mount_fastapi"], Environments(), log_dir)
    report.cell("mount_fastapi", "1.53.1").passed
"""

from __future__ import annotations

import asyncio
import datetime as dt
import platform
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from st_patterns.catalog.compat import Cell, Compatibility
from st_patterns.catalog.contract import PatternMeta
from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.releases import parse
from st_patterns.instances.launcher import Launcher
from st_patterns.matrix.envs import EnvironmentFailed, Environments
from st_patterns.models import ValidationReport
from st_patterns.proving.boot import pattern_boot
from st_patterns.proving.validator import resolve_ids, validate_patterns_async

Progress = Callable[[str], Awaitable[None] | None]


class EnvReport(BaseModel):
    version: str
    tool: str = Field(description="uv, pip, or host (this server's own interpreter).")
    built: bool = Field(description="Built in this run (False: reused from the cache).")
    seconds: float
    error: str | None = None
    packages: dict[str, str] = Field(default_factory=dict, description="Resolved versions of the key packages.")


class MatrixReport(BaseModel):
    """The pattern x release table, with per-release environment facts and timings."""

    versions: list[str]
    patterns: list[str]
    cells: dict[str, dict[str, Cell]] = Field(description="pattern id -> release -> outcome.")
    environments: list[EnvReport]
    seconds: float
    env_seconds: float = Field(description="Time spent building environments (0 when all were cached).")
    passed: bool

    def cell(self, pattern_id: str, version: str) -> Cell:
        return self.cells[pattern_id][version]

    def compatibility(self, notes: dict[str, str] | None = None) -> Compatibility:
        return Compatibility(
            generated=dt.date.today().isoformat(),
            python=platform.python_version(),
            versions=self.versions,
            cells=self.cells,
            notes=notes or {},
            environments={e.version: e.packages for e in self.environments if e.packages},
        )


KEY_PACKAGES = ("streamlit", "starlette", "fastapi", "uvicorn", "fastmcp", "django", "flask", "websockets")


def requirements_for(catalog: Catalog, ids: Sequence[str]) -> list[str]:
    """What the patterns need beside Streamlit (their ``requirements``), deduplicated."""
    found: list[str] = []
    for pattern_id in ids:
        for requirement in catalog.get(pattern_id).meta.requirements:
            if requirement not in found:
                found.append(requirement)
    return found


def _cell(report: ValidationReport) -> Cell:
    first = next((c for c in report.checks if not c.passed), None)
    failure = f"{first.name}: {first.actual}"[:300] if first is not None else None
    if report.error:
        failure = f"boot: {report.error}"[:300]
    if report.skipped:
        failure = f"skipped: {report.skipped}"[:300]
    return Cell(
        passed=report.passed, checks=report.total, failed=report.failed, first_failure=failure, seconds=report.seconds
    )


def _applicable(meta: PatternMeta, version: str) -> bool:
    return meta.min_streamlit is None or parse(version) >= parse(meta.min_streamlit)


def _not_applicable(meta: PatternMeta) -> Cell:
    why = f" ({meta.min_streamlit_why})" if meta.min_streamlit_why else ""
    failure = f"needs Streamlit >= {meta.min_streamlit}{why}"
    return Cell(passed=False, checks=0, failed=0, first_failure=failure, applicable=False)


async def _say(progress: Progress | None, text: str) -> None:
    if progress is not None:
        maybe = progress(text)
        if maybe is not None:
            await maybe


async def run_matrix(
    catalog: Catalog,
    versions: Sequence[str],
    ids: Sequence[str],
    envs: Environments,
    log_dir: Path,
    *,
    progress: Progress | None = None,
    concurrency: int | None = None,
) -> MatrixReport:
    """Run the matrix; environments that cannot be built turn their whole column red with the reason."""
    started = time.perf_counter()
    patterns = resolve_ids(catalog, ids)
    requirements = requirements_for(catalog, catalog.ids())  # one environment per release, whatever the subset
    preload = catalog.preloads()
    cells: dict[str, dict[str, Cell]] = {p: {} for p in patterns}
    environments: list[EnvReport] = []
    env_seconds = 0.0
    for index, version in enumerate(versions, 1):
        here = [p for p in patterns if _applicable(catalog.get(p).meta, version)]
        for pattern_id in set(patterns) - set(here):
            cells[pattern_id][version] = _not_applicable(catalog.get(pattern_id).meta)
        if not here:  # every pattern asked for needs a newer release: no environment to build
            await _say(progress, f"[{index}/{len(versions)}] Streamlit {version}: nothing applies")
            continue
        await _say(progress, f"[{index}/{len(versions)}] Streamlit {version}: environment")
        try:
            env = await asyncio.to_thread(envs.ensure, version, requirements)
        except EnvironmentFailed as exc:
            environments.append(EnvReport(version=version, tool="?", built=False, seconds=0.0, error=str(exc)))
            for pattern_id in patterns:
                cells[pattern_id][version] = Cell(passed=False, checks=0, failed=0, first_failure=f"environment: {exc}")
            await _say(progress, f"[{index}/{len(versions)}] Streamlit {version}: environment failed: {exc}")
            continue
        env_seconds += env.seconds
        environments.append(
            EnvReport(
                version=version,
                tool=env.tool,
                built=env.built,
                seconds=round(env.seconds, 2),
                packages={k: v for k, v in env.packages.items() if k in KEY_PACKAGES},
            )
        )
        how = f"built with {env.tool} in {env.seconds:.1f} s" if env.built else f"cached ({env.tool})"
        await _say(progress, f"[{index}/{len(versions)}] Streamlit {version}: {how}; validating {len(patterns)}")
        launcher = Launcher(
            python=env.python,
            package_root=env.package_root,
            preload=preload,
            log_dir=log_dir / version,
            cache_component_scan=True,  # the fork server skips it (and says so) where the private API differs
        )
        launcher.start()

        pending: list[asyncio.Task[None]] = []

        def on_report(
            report: ValidationReport, version: str = version, pending: list[asyncio.Task[None]] = pending
        ) -> None:
            cell = cells[report.pattern_id][version] = _cell(report)
            line = f"  {version} {report.pattern_id}: " + (
                f"pass ({cell.checks} checks)" if cell.passed else f"FAIL: {cell.first_failure}"
            )
            pending.append(asyncio.get_running_loop().create_task(_say(progress, line)))

        try:
            await validate_patterns_async(
                catalog,
                here,
                pattern_boot(launcher, log_dir / version, python=env.python),
                concurrency=concurrency,
                on_report=on_report,
            )
            await asyncio.gather(*pending)
        finally:  # cancelled or not, this release's apps and fork server go (shielded: anyio re-cancels awaits)
            with anyio.CancelScope(shield=True):
                await asyncio.to_thread(launcher.close)
    return MatrixReport(
        versions=list(versions),
        patterns=patterns,
        cells=cells,
        environments=environments,
        seconds=round(time.perf_counter() - started, 2),
        env_seconds=round(env_seconds, 2),
        passed=all(c.passed or not c.applicable for row in cells.values() for c in row.values()),
    )
