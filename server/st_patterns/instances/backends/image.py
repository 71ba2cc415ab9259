"""The docker sandbox's image: built from ``runtime.Dockerfile`` with the same dependency versions as this server.

The tag carries a hash of the Dockerfile, the base image and the pinned requirements, so a dependency upgrade builds
a new image and an unchanged one is reused.

Example::

    tag = ensure_image(docker.from_env(), base="python:3.11-slim")   # builds only when missing
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DOCKERFILE = Path(__file__).with_name("runtime.Dockerfile")
DEFAULT_BASE = "python:3.11-slim"
REPOSITORY = "st-patterns-runtime"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def requirements() -> list[str]:
    """st-patterns' runtime dependencies, pinned to the versions installed beside this server."""
    try:
        wanted = metadata.distribution("st-patterns").requires or []
    except metadata.PackageNotFoundError:
        wanted = ["streamlit", "starlette", "fastapi", "uvicorn", "fastmcp", "pydantic", "httpx", "websockets"]
        wanted += ["psutil", "django", "flask", "a2wsgi"]
    pinned = []
    for requirement in wanted:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        try:
            pinned.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pinned.append(requirement.split(";")[0].strip())
    return sorted(pinned, key=str.lower)


def image_tag(base: str) -> str:
    digest = hashlib.sha256()
    for part in (DOCKERFILE.read_bytes(), base.encode(), "\n".join(requirements()).encode()):
        digest.update(part)
    return f"{REPOSITORY}:{digest.hexdigest()[:12]}"


def has_image(client: Any, tag: str) -> bool:
    import docker.errors

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def ensure_image(client: Any, base: str = DEFAULT_BASE) -> str:
    """The tag of a runtime image for ``base``; builds it first when the engine lacks it (a minute or two)."""
    tag = image_tag(base)
    if has_image(client, tag):
        return tag
    with tempfile.TemporaryDirectory(prefix="st-patterns-image-") as context:
        folder = Path(context)
        shutil.copy(DOCKERFILE, folder / "Dockerfile")
        (folder / "requirements.txt").write_text("\n".join(requirements()) + "\n")
        (folder / "ca.crt").write_bytes(HOST_CA.read_bytes() if HOST_CA.is_file() else b"")
        log.info("building %s on %s", tag, base)
        client.images.build(path=str(folder), tag=tag, buildargs={"BASE": base}, rm=True, forcerm=True)
    return tag
