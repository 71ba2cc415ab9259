"""What an instance runs: a catalog pattern's reference app, or an agent's own app, in one shape.

The registry launches, watches and stops both the same way; only where they may run differs (an agent's app is
untrusted code: the sandbox, or the host with ``--allow-user-code``).

Example::

    AppSource.from_pattern(catalog.get("mount_fastapi"))
    AppSource(kind="app", name="shop", folder=Path("/work/shop"), entry="app.py")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from st_patterns.catalog.loader import Pattern
from st_patterns.instances.backends.base import SpawnSpec

SourceKind = Literal["pattern", "app"]


@dataclass(frozen=True)
class AppSource:
    kind: SourceKind
    name: str  # the pattern id, or the app's name (its folder or file stem)
    folder: Path
    entry: str  # file under ``folder`` exposing ``attr``
    attr: str = "app"
    env: Mapping[str, str] = field(default_factory=dict)
    proxy_headers: bool = True
    base_path: str = "/"  # where the Streamlit page is served
    health_path: str | None = None  # None: Streamlit's own under base_path
    up_statuses: tuple[int, ...] = (200,)  # answers that count as "up" on health_path (a guard's 401/403 too)
    paths: tuple[str, ...] = ()  # URL paths the app adds, shown as instance URLs
    preload: tuple[str, ...] = ()
    watch: bool = False  # restart when a file under ``folder`` changes
    notes: tuple[str, ...] = ()  # what the caller should know about this launch (shown on the instance)

    @classmethod
    def from_pattern(cls, pattern: Pattern) -> AppSource:
        meta = pattern.meta
        return cls(
            kind="pattern",
            name=pattern.id,
            folder=pattern.folder,
            entry=meta.entry,
            env=dict(meta.env),
            proxy_headers=meta.proxy_headers,
            base_path=meta.base_path,
            paths=tuple(info.path for info in meta.paths),
            preload=tuple(meta.preload),
            notes=_sidecar_notes(pattern),
        )

    @property
    def health(self) -> str:
        return self.health_path or f"{self.base_path}_stcore/health"

    def spawn_spec(self, port: int, log_path: Path, *, host: str = "127.0.0.1", cwd: Path | None = None) -> SpawnSpec:
        """What a backend starts for this source; ``cwd`` defaults to its folder (validation picks a foreign one)."""
        return SpawnSpec(
            folder=self.folder,
            entry=self.entry,
            attr=self.attr,
            port=port,
            log_path=log_path,
            host=host,
            env=dict(self.env),
            proxy_headers=self.proxy_headers,
            cwd=cwd or self.folder,
            preload=self.preload,
        )


def _sidecar_notes(pattern: Pattern) -> tuple[str, ...]:
    """Launch serves the app alone: say which real parts its proof had beside it, and how to get them."""
    if not pattern.sidecars:
        return ()
    names = ", ".join(s.name for s in pattern.sidecars)
    return (
        f"Proven with sidecars ({names}) that validate_pattern starts beside the app; this instance is the app "
        "alone. Its probes.toml shows how they are run.",
    )
