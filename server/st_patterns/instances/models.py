"""Records for launched reference apps, as every face shows them (MCP structured output, CLI JSON, dashboard).

The :class:`~st_patterns.instances.registry.Registry` builds them; nothing here touches a process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from st_patterns.instances.backends.base import Limits, SandboxName

InstanceStatus = Literal["starting", "running", "stopping", "stopped", "exited", "failed"]
ACTIVE_STATUSES: frozenset[str] = frozenset({"starting", "running", "stopping"})


class Instance(BaseModel):
    """One launched reference app: where it answers and what state its process is in."""

    id: str = Field(description="Instance id, e.g. 'mount_fastapi-3f9a1c'; pass it to stop/restart/logs.")
    pattern_id: str = Field(description="The catalog pattern this instance runs, or the name of an agent's own app.")
    kind: Literal["pattern", "app"] = Field(
        default="pattern", description="pattern: a catalog reference app; app: an agent's own app (launch_app)."
    )
    app_path: str | None = Field(default=None, description="For kind 'app': the entry file it was launched from.")
    url: str = Field(description="Base URL of the Streamlit page, including the pattern's base path.")
    port: int = Field(description="TCP port on the loopback host the app listens on.")
    pid: int | None = Field(description="OS process id of the app (leader of its own process group).")
    status: InstanceStatus = Field(
        description=(
            "starting: waiting for health; running: healthy; stopping: being stopped; stopped: stopped on request; "
            "exited: died on its own (see exit_code and logs); failed: never became healthy."
        )
    )
    started_at: datetime = Field(description="When the process was started (UTC).")
    health_url: str = Field(description="What readiness polls: Streamlit's health endpoint unless the app names one.")
    urls: dict[str, str] = Field(description="Each URL path the pattern adds -> its absolute URL on this instance.")
    exit_code: int | None = Field(
        description="Process exit code once it has ended; negative means killed by that signal (-15 SIGTERM)."
    )
    launch_mode: Literal["fork", "cold", "bwrap", "docker"] = Field(
        description=(
            "fork: forked from the pre-imported fork server (fast); cold: a fresh `python -m uvicorn`; "
            "bwrap/docker: a warm sandbox of that kind."
        )
    )
    sandbox: SandboxName = Field(
        default="none", description="What contains the app: none (the host), bwrap (bubblewrap) or docker."
    )
    limits: Limits | None = Field(default=None, description="Memory/CPU/process limits enforced on it; None: none.")
    launch_seconds: float | None = Field(description="Seconds from process start to the first healthy answer.")
    notes: list[str] = Field(default_factory=list, description="What to know about this launch, if anything.")


class InstanceDetail(Instance):
    """An instance plus live measurements, for a closer look at one."""

    uptime_seconds: float = Field(description="Seconds since start (until exit, for ended instances).")
    cpu_percent: float | None = Field(description="CPU use since the previous look, percent of one core.")
    rss_mb: float | None = Field(description="Resident memory of the app process in MiB (None once ended).")
    healthy: bool | None = Field(description="Did the health URL answer 200 just now? None unless running.")
    log_tail: list[str] = Field(description="The last lines the app wrote to stdout/stderr.")


class InstanceLogs(BaseModel):
    """A page of an instance's captured stdout/stderr, addressed like a file by line number."""

    instance_id: str = Field(description="The instance these lines came from.")
    lines: list[str] = Field(description="Log lines, oldest first.")
    offset: int = Field(default=0, description="Line number (from 0, since launch) of the first line in `lines`.")
    next_offset: int = Field(
        default=0, description="Pass as offset to get the lines after these (new lines, once the app writes more)."
    )
    total_lines: int = Field(description="Lines written since the instance was launched (including older ones).")
    first_kept: int = Field(default=0, description="The oldest line number still kept (older ones rotated out).")
    truncated: bool = Field(description="True when older lines exist that are not in `lines`.")
    more: bool = Field(default=False, description="True when lines after `next_offset` exist already.")
