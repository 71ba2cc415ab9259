"""Turn ``--sandbox auto|none|bwrap|docker`` into a backend, saying why each sandbox was or was not taken.

``auto`` takes bubblewrap where it works, else a Docker/Podman engine that answers, else none; naming a sandbox
explicitly fails with the reason when it cannot work here.

Example::

    backend, info = choose_backend("auto", limits=Limits(), root=state_dir / "sandboxes")
    info.detail        # e.g. "bubblewrap: read-only runtime, private /tmp, no network, ..."
"""

from __future__ import annotations

from pathlib import Path

from st_patterns.errors import SandboxUnavailable
from st_patterns.instances.backends import bwrap, docker
from st_patterns.instances.backends.base import Limits, SandboxInfo, SandboxMode
from st_patterns.instances.backends.image import DEFAULT_BASE
from st_patterns.instances.backends.sandboxed import SandboxBackend

SANDBOXES = ("bwrap", "docker")


def choose_backend(
    mode: SandboxMode,
    *,
    limits: Limits,
    root: Path,
    preload: list[str] | None = None,
    pool_size: int = 1,
    base_image: str = DEFAULT_BASE,
) -> tuple[SandboxBackend | None, SandboxInfo]:
    """The sandbox backend for ``mode`` (None for "none"), and what /healthz and ``serve`` should say about it."""
    if mode == "none":
        return None, SandboxInfo(name="none", contained=False, limits=None, detail="no sandbox (--sandbox none)")
    reasons: dict[str, str] = {}
    for name in SANDBOXES if mode == "auto" else (mode,):
        try:
            if name == "bwrap":
                problem = bwrap.probe()
                if problem is not None:
                    raise OSError(problem)
                factory: bwrap.BwrapFactory | docker.DockerFactory = bwrap.BwrapFactory(root / "bwrap", limits, preload)
            else:
                factory = docker.DockerFactory(root / "docker", limits, preload, base_image)
        except OSError as exc:
            reasons[name] = str(exc)
            if mode != "auto":
                raise SandboxUnavailable(name, str(exc)) from exc
            continue
        return SandboxBackend(factory, pool_size=pool_size), factory.info()
    why = "; ".join(f"{name}: {reason}" for name, reason in reasons.items())
    return None, SandboxInfo(name="none", contained=False, limits=None, detail=f"no sandbox works here ({why})")
