"""MCP tools that launch and supervise reference apps; each body is one call into the Registry.

The Registry is synchronous (the dashboard calls it from Streamlit's script thread), so the tools run it in a
worker thread and relay launch progress back to the client from there.
"""

from __future__ import annotations

from typing import Annotated

import anyio
import anyio.from_thread
from fastmcp import Context, FastMCP
from pydantic import BaseModel, Field

from st_patterns.instances.models import Instance, InstanceDetail, InstanceLogs
from st_patterns.instances.registry import Registry
from st_patterns.mcp_tools.common import LAUNCH, READ_ONLY, RESTART, STOP, PatternId, tool_errors
from st_patterns.services import Services

InstanceId = Annotated[
    str, Field(description="An instance id from launch_pattern or list_instances.", min_length=1, max_length=100)
]


class InstanceList(BaseModel):
    instances: list[Instance]
    running: int = Field(description="How many are running now.")
    cap: int = Field(description="Most instances that may run at once.")


def _registry(services: Services) -> Registry:
    return services.live_registry()


def register_instance_tools(mcp: FastMCP, services: Services) -> None:
    @mcp.tool(annotations=LAUNCH, title="Launch a pattern's reference app")
    async def launch_pattern(
        pattern_id: PatternId,
        ctx: Context,
        port: Annotated[
            int | None, Field(description="Port to serve on (1024-65535); omit to pick a free one.")
        ] = None,
    ) -> Instance:
        """Start a pattern's reference app as a real process on 127.0.0.1 and answer once it is healthy
        (its Streamlit health endpoint answers 200), with its URL and the URLs of the paths it adds.
        Fails with the reason and the log tail if it does not come up.

        Example: launch_pattern(pattern_id="mount_fastapi") -> {"url": "http://127.0.0.1:40123/", ...}
        """
        with tool_errors():
            registry = _registry(services)

        def progress(done: float, total: float, message: str) -> None:
            anyio.from_thread.run(ctx.report_progress, done, total, message)

        with tool_errors():
            return await anyio.to_thread.run_sync(lambda: registry.launch(pattern_id, port, progress=progress))

    @mcp.tool(annotations=READ_ONLY, title="List running instances")
    def list_instances() -> InstanceList:
        """Every instance this server launched (running or ended), newest first. Example: list_instances()."""
        with tool_errors():
            registry = _registry(services)
        instances = registry.list()
        running = sum(i.status in ("starting", "running") for i in instances)
        return InstanceList(instances=instances, running=running, cap=registry.max_instances)

    @mcp.tool(annotations=READ_ONLY, title="Show one instance")
    def get_instance(instance_id: InstanceId) -> InstanceDetail:
        """One instance with status, uptime, CPU, RSS, health, exit code and a short log tail.

        Example: get_instance(instance_id="mount_fastapi-1")
        """
        with tool_errors():
            return _registry(services).get(instance_id)

    @mcp.tool(annotations=READ_ONLY, title="Read an instance's log")
    def instance_logs(
        instance_id: InstanceId,
        offset: Annotated[
            int | None,
            Field(
                description="First line number to return (0 = the first line since launch); omit for the last lines.",
                ge=0,
            ),
        ] = None,
        limit: Annotated[int, Field(description="At most this many lines.", ge=1, le=2000)] = 100,
    ) -> InstanceLogs:
        """A page of an instance's stdout/stderr, like reading a file: without offset the last `limit` lines;
        with offset the lines from there on. Follow a running app by passing the previous answer's next_offset
        (an empty page means nothing new yet). total_lines and first_kept say what exists.

        Example: instance_logs(instance_id="...") then instance_logs(instance_id="...", offset=<next_offset>).
        """
        with tool_errors():
            return _registry(services).logs(instance_id, limit, offset)

    @mcp.tool(annotations=STOP, title="Stop an instance")
    async def stop_instance(instance_id: InstanceId) -> Instance:
        """Stop an instance: SIGTERM to its process group, then SIGKILL after a grace period.

        Example: stop_instance(instance_id="...")
        """
        with tool_errors():
            return await anyio.to_thread.run_sync(_registry(services).stop, instance_id)

    @mcp.tool(annotations=RESTART, title="Restart an instance")
    async def restart_instance(instance_id: InstanceId) -> Instance:
        """Stop an instance and launch the same pattern again on the same port; answers once healthy."""
        with tool_errors():
            return await anyio.to_thread.run_sync(_registry(services).restart, instance_id)

    @mcp.tool(annotations=STOP, title="Stop every instance")
    async def stop_all_instances() -> InstanceList:
        """Stop every running instance. Example: stop_all_instances()."""
        with tool_errors():
            registry = _registry(services)
            await anyio.to_thread.run_sync(registry.stop_all)
        return InstanceList(instances=registry.list(), running=0, cap=registry.max_instances)
