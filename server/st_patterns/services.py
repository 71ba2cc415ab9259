"""The one set of live objects every face reads: catalog, instance registry, validation results.

The ASGI assembly installs them once at start-up; the MCP tools receive them when built, and the
dashboard script (which Streamlit runs in its own thread, importing this same module) calls ``current()``.

Example::

    install(Services(catalog=Catalog.load(), settings=Settings()))
    current().catalog.ids()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from st_patterns.catalog import Catalog
from st_patterns.errors import StPatternsError
from st_patterns.settings import Settings

if TYPE_CHECKING:
    from st_patterns.registry import Registry
    from st_patterns.validation import ValidationStore
    from st_patterns.validator import Boot


@dataclass
class Services:
    catalog: Catalog
    settings: Settings = field(default_factory=Settings)
    registry: Registry | None = None
    validations: ValidationStore | None = None
    registry_error: StPatternsError | None = None

    def live_registry(self) -> Registry:
        """The registry, or the reason it is unavailable (e.g. an unusable state directory) as the error."""
        if self.registry_error is not None:
            raise self.registry_error
        if self.registry is None:
            raise StPatternsError("This server runs without an instance registry.")
        return self.registry

    def boot(self) -> Boot:
        """How validation boots patterns: from the registry's launcher, so it forks from the warm fork server."""
        from st_patterns.boot import pattern_boot

        return pattern_boot(self.live_registry().launcher, self.settings.state_dir / "validation")


_current: Services | None = None


def install(services: Services) -> Services:
    global _current
    _current = services
    return services


def current() -> Services:
    if _current is None:
        raise RuntimeError("st-patterns services are not installed; start the server with `st-patterns serve`.")
    return _current
