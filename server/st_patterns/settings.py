"""Server settings, filled by the CLI (flags) and the environment; validated once."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, Field

from st_patterns.errors import InvalidInput
from st_patterns.models import Limits, SandboxMode
from st_patterns.paths import state_dir

TOKEN_ENV = "ST_PATTERNS_TOKEN"
IMAGE_BASE_ENV = "ST_PATTERNS_SANDBOX_IMAGE_BASE"
DEFAULT_IMAGE_BASE = "python:3.11-slim"


def default_image_base() -> str:
    """Base of the docker sandbox image: $ST_PATTERNS_SANDBOX_IMAGE_BASE (CI: a Debian one), else python:3.11-slim."""
    return os.environ.get(IMAGE_BASE_ENV) or DEFAULT_IMAGE_BASE


class Settings(BaseModel):
    """What ``st-patterns serve`` runs with.

    Example::

        Settings(port=8765).require_safe_bind()
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    token: str | None = Field(default_factory=lambda: os.environ.get(TOKEN_ENV) or None, repr=False)
    allow_user_code: bool = False
    max_instances: int = Field(default=8, ge=1, le=64)
    state_dir: Path = Field(default_factory=state_dir)
    use_fork: bool = True
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    dashboard: bool = True
    allowed_hosts: list[str] = Field(
        default_factory=list, description="Extra Host names to accept (DNS-rebinding guard); '*' accepts any."
    )
    validation_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=16)
    sandbox: SandboxMode = Field(default="auto", description="Where untrusted code runs: auto, none, bwrap, docker.")
    sandbox_patterns: bool = Field(default=False, description="Run catalog patterns in the sandbox too.")
    limits: Limits = Field(default_factory=Limits, description="Resource limits of each sandboxed app.")
    sandbox_image_base: str = Field(default_factory=default_image_base, description="Base of the docker sandbox image.")
    sandbox_pool: int = Field(default=1, ge=0, le=8, description="Warm sandboxes kept ready.")
    workspace: Path = Field(
        default_factory=Path.cwd, description="Folder agents' paths must be inside when the client declares no roots."
    )

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def host_names(self) -> list[str]:
        """Host header names this server answers to: loopback names, the bind address, and --allowed-host.

        Bound beyond loopback (which requires a token) with no --allowed-host, any Host is accepted: the token,
        not the Host header, is then what keeps other sites out.
        """
        if not self.loopback and not self.allowed_hosts:
            return ["*"]
        names = {"127.0.0.1", "localhost", "::1", *self.allowed_hosts}
        if self.host not in ("0.0.0.0", "::"):
            names.add(self.host)
        return sorted(names)

    def require_safe_bind(self) -> None:
        """Refuse to listen beyond loopback without a token: the server launches processes on request."""
        if not self.loopback and not self.token:
            raise InvalidInput(
                f"Refusing to bind {self.host}: st-patterns launches processes on request, so any address other "
                f"than loopback needs an auth token. Pass --token or set {TOKEN_ENV}."
            )
