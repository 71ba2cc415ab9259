"""The sandbox flags ``serve``, ``validate`` and ``check`` share, and the Settings fields they fill."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from st_patterns.catalog.loader import Catalog
from st_patterns.errors import SandboxUnavailable
from st_patterns.instances.backends.base import Backend
from st_patterns.instances.backends.choose import choose_backend
from st_patterns.models import Limits
from st_patterns.settings import Settings

DEFAULTS = Limits()


def add_sandbox_arguments(parser: argparse.ArgumentParser, *, patterns: bool = True) -> None:
    group = parser.add_argument_group("sandbox")
    group.add_argument(
        "--sandbox",
        choices=["auto", "none", "bwrap", "docker"],
        default="auto",
        help="Where untrusted code runs: auto = bubblewrap where it works, else Docker/Podman, else none (default).",
    )
    group.add_argument("--sandbox-memory", type=int, default=DEFAULTS.memory_mb, metavar="MIB", help="Memory limit.")
    group.add_argument("--sandbox-cpus", type=float, default=DEFAULTS.cpus, metavar="N", help="CPU limit in cores.")
    group.add_argument("--sandbox-pids", type=int, default=DEFAULTS.pids, metavar="N", help="Process-count limit.")
    group.add_argument("--sandbox-image-base", metavar="IMAGE", help="Docker sandbox base image (python:3.11-slim).")
    if patterns:
        group.add_argument(
            "--sandbox-patterns", action="store_true", help="Run catalog patterns in the sandbox too (default: host)."
        )


def sandbox_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Settings keyword arguments from the flags above (pydantic checks the ranges)."""
    image = {"sandbox_image_base": args.sandbox_image_base} if args.sandbox_image_base else {}
    return image | {
        "sandbox": args.sandbox,
        "limits": {"memory_mb": args.sandbox_memory, "cpus": args.sandbox_cpus, "pids": args.sandbox_pids},
        "sandbox_patterns": bool(getattr(args, "sandbox_patterns", False)),
    }


def sandbox_backend(args: argparse.Namespace, catalog: Catalog, root: Path, pool: int = 1) -> Backend:
    """The sandbox ``--sandbox`` names (``auto``: the best that works); raises SandboxUnavailable if none does."""
    settings = Settings(**sandbox_settings(args))
    backend, info = choose_backend(
        settings.sandbox,
        limits=settings.limits,
        root=root / "sandboxes",
        preload=catalog.preloads(),
        pool_size=pool,
        base_image=settings.sandbox_image_base,
    )
    if backend is None:
        raise SandboxUnavailable(settings.sandbox, info.detail)
    return backend
