"""``st-patterns sandbox-image``: build (or find) the docker sandbox's runtime image, ahead of the first launch."""

from __future__ import annotations

import argparse
import time

from st_patterns.errors import SandboxUnavailable
from st_patterns.instances.backends import docker as docker_backend
from st_patterns.instances.backends.image import ensure_image, has_image, image_tag
from st_patterns.settings import default_image_base


def cmd_sandbox_image(args: argparse.Namespace) -> int:
    try:
        client = docker_backend.connect(timeout=600)
    except OSError as exc:
        raise SandboxUnavailable("docker", str(exc)) from exc
    base = args.base or default_image_base()
    tag = image_tag(base)
    if has_image(client, tag):
        print(f"{tag} (on {base}) exists")
        return 0
    started = time.monotonic()
    ensure_image(client, base)
    print(f"{tag} built on {base} in {time.monotonic() - started:.0f} s")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    image = sub.add_parser("sandbox-image", help="Build the docker sandbox's runtime image now (else at first use).")
    image.add_argument(
        "--base",
        help="Base image (default $ST_PATTERNS_SANDBOX_IMAGE_BASE or python:3.11-slim); needs Debian or Python.",
    )
    image.set_defaults(handler=cmd_sandbox_image)
