"""MCP tool for the version matrix: prove patterns on the Streamlit releases an agent's user runs.

Long-running (an environment per release, built with uv the first time): progress is reported per environment
and per pattern, and cancelling the request stops the apps and fork server of the release in progress.
"""

from __future__ import annotations

from typing import Annotated

from fastmcp import Context, FastMCP
from pydantic import Field

from st_patterns.catalog.releases import RELEASES, select
from st_patterns.matrix.envs import Environments
from st_patterns.matrix.run import MatrixReport
from st_patterns.matrix.run import run_matrix as prove_on_releases
from st_patterns.mcp_tools.common import RUNS_PROCESSES, tool_errors
from st_patterns.services import Services


def register_matrix_tools(mcp: FastMCP, services: Services) -> None:
    @mcp.tool(annotations=RUNS_PROCESSES, title="Prove patterns on several Streamlit releases")
    async def run_matrix(
        ctx: Context,
        streamlit: Annotated[
            list[str] | None,
            Field(
                description=f"Releases to prove on, minor or exact (e.g. ['1.55', '1.67']); omit for all of "
                f"{RELEASES[0]}-{RELEASES[-1]} ({len(RELEASES)} releases, minutes).",
                max_length=len(RELEASES),
            ),
        ] = None,
        patterns: Annotated[
            list[str] | None,
            Field(description="Pattern ids (default: all).", max_length=64),
        ] = None,
    ) -> MatrixReport:
        """Prove patterns on several Streamlit releases: each release gets a cached environment (streamlit==V and
        what the patterns need, resolved by uv; built once, seconds), each pattern is booted in it and put
        through its probes and the universal checks. Returns the pattern x release table; a red cell names its
        first failing check. The committed result for every release is already in get_pattern's `streamlit`
        range: run this for a release or pattern set of your own.

        Example: run_matrix(streamlit=["1.58"], patterns=["middleware_auth"])
        """
        with tool_errors():
            versions = select(",".join(streamlit) if streamlit else None)
            ids = patterns or ["all"]
            total = len(versions) * (len(services.catalog.ids()) if ids == ["all"] else len(ids)) + len(versions)
            done = 0

            async def progress(line: str) -> None:
                nonlocal done
                done += 1
                await ctx.report_progress(min(done, total), total, line.strip())

            report = await prove_on_releases(
                services.catalog,
                versions,
                ids,
                Environments(),
                services.settings.state_dir / "matrix",
                progress=progress,
                concurrency=services.settings.validation_concurrency,
            )
            services.last_matrix = report
            return report
