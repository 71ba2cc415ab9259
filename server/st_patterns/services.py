"""The one set of live objects every face reads: catalog, instance registry, validation results.

The ASGI assembly installs them once at start-up; the MCP tools receive them when built, and the
dashboard script (which Streamlit runs in its own thread, importing this same module) calls ``current()``.
Only the faces and the assembly use this module: the core takes plain values (a catalog, a boot callable).

Example::

    install(Services(catalog=Catalog.load(), settings=Settings()))
    current().catalog.ids()
    summary = validate_patterns(current(), ["mount_fastapi"])
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from st_patterns.catalog.loader import Catalog
from st_patterns.errors import StPatternsError
from st_patterns.instances.registry import Registry
from st_patterns.matrix.run import MatrixReport
from st_patterns.models import SandboxInfo, ValidationReport, ValidationSummary
from st_patterns.proving.boot import pattern_boot
from st_patterns.proving.results import ValidationStore
from st_patterns.proving.validator import Boot, CheckCallback, validate_patterns_async
from st_patterns.settings import Settings


@dataclass
class Services:
    catalog: Catalog
    settings: Settings = field(default_factory=Settings)
    registry: Registry | None = None
    validations: ValidationStore | None = None
    registry_error: StPatternsError | None = None
    sandbox_info: SandboxInfo = field(
        default_factory=lambda: SandboxInfo(name="none", contained=False, limits=None, detail="no sandbox configured")
    )
    last_matrix: MatrixReport | None = None  # the newest run_matrix result, for the dashboard

    def live_registry(self) -> Registry:
        """The registry, or the reason it is unavailable (e.g. an unusable state directory) as the error."""
        if self.registry_error is not None:
            raise self.registry_error
        if self.registry is None:
            raise StPatternsError("This server runs without an instance registry.")
        return self.registry

    def boot(self) -> Boot:
        """How validation boots patterns: from the registry's launcher, so it forks from the warm fork server."""
        return pattern_boot(self.live_registry().pattern_backend, self.settings.state_dir / "validation")


_current: Services | None = None


def install(services: Services) -> Services:
    global _current
    _current = services
    return services


def current() -> Services:
    if _current is None:
        raise RuntimeError("st-patterns services are not installed; start the server with `st-patterns serve`.")
    return _current


async def validate_for(
    services: Services,
    ids: Sequence[str],
    *,
    on_check: CheckCallback | None = None,
    on_report: Callable[[ValidationReport], None] | None = None,
) -> ValidationSummary:
    """Validate with the server's launcher and record every report into ``services.validations``."""

    def record(report: ValidationReport) -> None:
        if services.validations is not None:
            services.validations.record(report)
        if on_report is not None:
            on_report(report)

    return await validate_patterns_async(
        services.catalog,
        ids,
        services.boot(),
        concurrency=services.settings.validation_concurrency,
        on_check=on_check,
        on_report=record,
    )


def validate_patterns(
    services: Services,
    ids: Sequence[str],
    *,
    on_check: CheckCallback | None = None,
    on_report: Callable[[ValidationReport], None] | None = None,
) -> ValidationSummary:
    """Blocking ``validate_for``, for threads without an event loop (the dashboard)."""
    return asyncio.run(validate_for(services, ids, on_check=on_check, on_report=on_report))
