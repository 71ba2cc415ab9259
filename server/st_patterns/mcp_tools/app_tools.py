"""MCP tools for the agent's own app: launch it as a supervised instance, in the sandbox, restarted on each edit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import anyio
import anyio.from_thread
from fastmcp import Context, FastMCP
from pydantic import Field

from st_patterns.catalog.contract import Probe, ProbeFile
from st_patterns.checker.suggest import SuggestedProbes, suggest_for
from st_patterns.checker.validate_app import AppValidation
from st_patterns.checker.validate_app import validate_app as prove_app
from st_patterns.errors import InvalidInput
from st_patterns.instances.models import Instance
from st_patterns.mcp_tools.common import LAUNCH, READ_ONLY, RUNS_PROCESSES, tool_errors
from st_patterns.mcp_tools.roots import allowed_roots
from st_patterns.projects.app_source import user_app_source
from st_patterns.projects.roots import confine
from st_patterns.projects.upload import MAX_FILE_BYTES, MAX_FILES, materialize
from st_patterns.services import Services

PathArg = Annotated[
    str | None,
    Field(
        description="Your app: a .py file exposing an ASGI app, or a project folder. Must be inside the client's MCP "
        "roots (or the server's --workspace).",
        max_length=4096,
    ),
]
FilesArg = Annotated[
    dict[str, str] | None,
    Field(
        description=f"Or: the files themselves, {{relative name: text}} (at most {MAX_FILES}, "
        f"{MAX_FILE_BYTES // 1024} KiB each), for an agent on another machine.",
    ),
]

EntryArg = Annotated[
    str | None, Field(description="'module:attr' naming the ASGI app; omit to find it.", max_length=200)
]
HealthPathArg = Annotated[
    str | None, Field(description="URL path that answers while the app is up; default Streamlit's own.", max_length=200)
]


async def project_path(ctx: Context, services: Services, path: str | None, files: dict[str, str] | None) -> Path:
    """The project to run: ``path`` confined to the allowed roots, or ``files`` written to a private folder."""
    if (path is None) == (files is None):
        raise InvalidInput("Pass exactly one of `path` (a file or folder) or `files` ({name: text}).")
    if files is not None:
        return materialize(files, services.settings.state_dir / "projects")
    return confine(path or "", await allowed_roots(ctx, services))


def register_app_tools(mcp: FastMCP, services: Services) -> None:
    @mcp.tool(annotations=LAUNCH, title="Launch your own app")
    async def launch_app(
        ctx: Context,
        path: PathArg = None,
        files: FilesArg = None,
        entry: EntryArg = None,
        watch: Annotated[bool, Field(description="Restart the app when its files change (default on).")] = True,
        port: Annotated[int | None, Field(description="Port (1024-65535); omit to pick a free one.")] = None,
        health_path: HealthPathArg = None,
    ) -> Instance:
        """Run your own app (a .py file exposing an ASGI `app`, or a project folder) as a supervised instance in
        the server's sandbox: listed with list_instances, logs with instance_logs, stopped with stop_instance.
        With watch (default), every edit to the project's files restarts it within about a second. Answers once
        it is up (its health endpoint answers; a guard's 401/403 counts), or fails with the exception and the log
        tail. The entry is found like `streamlit run` finds a script (app.py, streamlit_app.py, main.py, ...), or
        pass entry="module:attr".

        Examples: launch_app(path="/work/shop"); launch_app(files={"app.py": "...", "ui.py": "..."}, watch=False)
        """
        with tool_errors():
            registry = services.live_registry()
            folder = await project_path(ctx, services, path, files)
            source = user_app_source(folder, entry, watch=watch and files is None, health_path=health_path)

        def progress(done: float, total: float, message: str) -> None:
            anyio.from_thread.run(ctx.report_progress, done, total, message)

        with tool_errors():
            return await anyio.to_thread.run_sync(lambda: registry.launch_source(source, port, progress=progress))


def register_app_proving_tools(mcp: FastMCP, services: Services) -> None:
    """suggest_probes and validate_app, plus the probes JSON Schema as a resource."""

    @mcp.resource("pattern://schema/probes", name="probes schema", mime_type="application/schema+json")
    def probes_schema() -> str:
        """JSON Schema of a probes file (a pattern's probes.toml, or the probes you pass to validate_app)."""
        return json.dumps(ProbeFile.model_json_schema(), indent=2)

    @mcp.tool(annotations=READ_ONLY, title="Suggest probes for your app")
    async def suggest_probes(ctx: Context, path: PathArg = None, files: FilesArg = None) -> SuggestedProbes:
        """Probes for your own app, derived from its code: an auth guard -> page and websocket refused without a
        session, the login route answers; an IP allow-list -> refused from a disallowed address through the proxy
        header; security headers present; each added route answers and is not shadowed by Streamlit's catch-all.
        Same shape as a pattern's probes.toml (schema: resource pattern://schema/probes). Pass them to
        validate_app, or keep them in your repository (`st-patterns probes init PATH`). Never runs your code.

        Example: suggest_probes(path="/work/shop")
        """
        with tool_errors():
            folder = await project_path(ctx, services, path, files)
            source = user_app_source(folder, None, watch=False)
            return suggest_for(source.folder, source.entry, base_path=source.base_path)

    @mcp.tool(annotations=RUNS_PROCESSES, title="Prove your own app")
    async def validate_app(
        ctx: Context,
        path: PathArg = None,
        files: FilesArg = None,
        probes: Annotated[
            list[Probe] | None,
            Field(
                description="Your probes (see pattern://schema/probes); omit to use suggest_probes' ones.",
                max_length=200,
            ),
        ] = None,
        entry: EntryArg = None,
        health_path: HealthPathArg = None,
    ) -> AppValidation:
        """Prove your own app: boot it in the sandbox, run the static checker, its probes (given, or suggested from
        the code) and the checks every st.App must pass (page, health, the websocket really runs the script);
        report every check with expected vs actual, and for each failure the pattern to read.

        Example: validate_app(path="/work/shop") -> {"passed": false, "failures": [{"name": "websocket is refused
        without a session", "see_pattern": "middleware_auth", ...}]}
        """
        with tool_errors():
            registry = services.live_registry()
            folder = await project_path(ctx, services, path, files)
            source = user_app_source(folder, entry, watch=False, health_path=health_path)
            backend = registry.backend_for(source)
            log_dir = services.settings.state_dir / "user-code"
            return await anyio.to_thread.run_sync(lambda: prove_app(source, backend, probes=probes, log_dir=log_dir))
