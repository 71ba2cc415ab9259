"""MCP tools that prove patterns work (validate_pattern) and review an agent's own st.App code (check_app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import anyio
from fastmcp import Context, FastMCP
from pydantic import Field

from st_patterns.checker.review import AppReview, review_app
from st_patterns.mcp_tools.common import RUNS_PROCESSES, StreamlitVersion, tool_errors
from st_patterns.mcp_tools.roots import allowed_roots
from st_patterns.models import CheckResult, ValidationSummary
from st_patterns.projects.roots import confine
from st_patterns.proving.results import only_failures
from st_patterns.services import Services, validate_for


def register_validation_tools(mcp: FastMCP, services: Services) -> None:
    @mcp.tool(annotations=RUNS_PROCESSES, title="Prove a pattern works")
    async def validate_pattern(
        ctx: Context,
        pattern_id: Annotated[
            str, Field(description='A pattern id, or "all" for every pattern.', min_length=1, max_length=64)
        ] = "all",
        detail: Annotated[
            Literal["failures", "all"],
            Field(description="failures: each report lists only its red checks (counts give the rest); all: all."),
        ] = "failures",
    ) -> ValidationSummary:
        """Prove a pattern works: boot its reference app in an isolated process, run its own probes (positive
        and negative, over HTTP and the websocket) and the checks every st.App must pass (page served, health,
        the websocket really runs the script, routes not shadowed), then stop it. Reports every check with
        expected vs actual and timing (detail="all"; by default only the red ones, with the counts). "all" runs
        patterns in parallel; progress is reported per check.

        Examples: validate_pattern(pattern_id="middleware_auth"); validate_pattern(pattern_id="all").
        """
        done = 0

        async def on_check(pattern: str, check: CheckResult) -> None:
            nonlocal done
            done += 1
            mark = "pass" if check.passed else "FAIL"
            await ctx.report_progress(done, None, f"{pattern}: {check.name}: {mark}")

        with tool_errors():
            summary = await validate_for(services, [pattern_id], on_check=on_check)
        return summary if detail == "all" else only_failures(summary)

    @mcp.tool(annotations=RUNS_PROCESSES, title="Check st.App code")  # dynamic=True boots the code
    async def check_app(
        ctx: Context,
        source: Annotated[
            str | None,
            Field(description="Python source of your st.App module (up to 256 KiB).", max_length=262_144),
        ] = None,
        path: Annotated[
            str | None,
            Field(
                description="Or: path of a .py file or a project folder (every module, imports followed) on the "
                "server's machine, inside the client's MCP roots (or the server's --workspace).",
                max_length=4096,
            ),
        ] = None,
        files: Annotated[
            dict[str, str] | None,
            Field(description="Or: your project's files, {relative name: text}; imports between them are followed."),
        ] = None,
        streamlit_version: StreamlitVersion = None,
        dynamic: Annotated[
            bool,
            Field(
                description="Also boot the file and run the universal checks. This EXECUTES the code: in the "
                "server's sandbox (bubblewrap or a container) when one is active, else only with --allow-user-code."
            ),
        ] = False,
    ) -> AppReview:
        """Review your own st.App composition before you ship it: one module, or a whole project (a folder, or
        `files`), following its imports so a guard or lifespan defined in another module is judged where it is
        used. Static analysis (never runs your code unless dynamic=True): websocket-blind auth/IP middleware,
        /_stcore exempted wholesale, login redirects without a route, CIDR allow-lists compared as strings,
        X-Forwarded-For trusted blindly, reserved or catch-all routes, missing or uncalled Streamlit/MCP lifespans,
        lifespan tasks never stopped, lifespan state read from the request, blocking calls in async handlers,
        uvicorn.run/App.run at import, two Apps, middleware not wrapped in Middleware(), Starlette methods on App,
        /static/ links, Request(scope) on websockets, CSPs that break the UI (where they reach Streamlit),
        st.App(__file__), Flask without a2wsgi, Django without settings. Each finding has the rule id, severity,
        file, line, message, the fix and the pattern to read; `# st-patterns: ignore[rule-id]` silences one.
        Version-specific rules use streamlit_version, else the project's uv.lock / requirements / pyproject.toml.

        Example: check_app(source=open("app.py").read())
        """
        settings = services.settings
        registry = services.registry
        with tool_errors():
            target = None
            if path is not None and source is None:  # both or neither: review_app says "exactly one of"
                target = confine(path, await allowed_roots(ctx, services))
            elif path is not None:
                target = Path(path)
            return await anyio.to_thread.run_sync(
                lambda: review_app(
                    source=source,
                    path=target,
                    files=files,
                    streamlit_version=streamlit_version,
                    dynamic=dynamic,
                    allow_user_code=settings.allow_user_code,
                    sandbox=registry.sandbox if registry is not None else None,
                    host=registry.launcher if registry is not None else None,
                    no_sandbox_reason=services.sandbox_info.detail,
                    log_dir=settings.state_dir / "user-code",
                )
            )
