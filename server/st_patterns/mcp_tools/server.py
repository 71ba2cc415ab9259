"""The MCP face: tools, resources and prompts over the core. Each tool body is one call into the core.

Core errors (``StPatternsError``) become ``ToolError`` with the core's message, once, in ``_tool_errors``.

Example::

    mcp = build_mcp(Services(catalog=Catalog.load()))
    mcp.run()            # stdio
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider
from fastmcp.tools import ToolResult
from mcp_types import CompletionArgument, CompletionContext, Icon, ResourceTemplateReference
from pydantic import BaseModel, Field

from st_patterns import __version__
from st_patterns.catalog.recommend import recommend
from st_patterns.mcp_tools.app_tools import register_app_proving_tools, register_app_tools
from st_patterns.mcp_tools.common import READ_ONLY, PatternId, StreamlitVersion, as_text, tool_errors
from st_patterns.mcp_tools.instance_tools import register_instance_tools
from st_patterns.mcp_tools.matrix_tools import register_matrix_tools
from st_patterns.mcp_tools.skill_provider import register_skill
from st_patterns.mcp_tools.validation_tools import register_validation_tools
from st_patterns.models import PatternSummary, Recommendation
from st_patterns.services import Services

INSTRUCTIONS = """\
st-patterns teaches how to combine Streamlit with Starlette/FastAPI through Streamlit's ASGI entry point
st.App (`from streamlit.starlette import App` from Streamlit 1.53, `st.App` from 1.57). Start with
recommend_pattern (describe the need) or list_patterns, read a pattern with get_pattern (metadata + its code)
or explain_pattern (why it works, what breaks), then adapt its source; check_app finds the usual mistakes in
your code and validate_app proves your app. Every pattern's reference app is tested against real HTTP and
websocket probes. The same guide is served as the agent skill skill://st-patterns/SKILL.md.
"""
TITLE = "st-patterns: proven Streamlit + Starlette/FastAPI patterns"
DESCRIPTION = (
    "Tested reference apps for combining Streamlit with Starlette and FastAPI through st.App, a checker for "
    "st.App code, and tools that boot and probe apps over HTTP and the websocket."
)
# A small mark: a stack of three blocks (the ASGI layers) on Streamlit red; an SVG data URI needs no hosting.
ICON = (
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAzMiAzMiI+PHJlY3Qgd2lkdGg9IjMyIiBoZWlnaHQ9"
    "IjMyIiByeD0iNiIgZmlsbD0iI2ZmNGI0YiIvPjxyZWN0IHg9IjciIHk9IjciIHdpZHRoPSIxOCIgaGVpZ2h0PSI0IiByeD0iMiIgZmlsbD0iI2Zm"
    "ZiIvPjxyZWN0IHg9IjciIHk9IjE0IiB3aWR0aD0iMTgiIGhlaWdodD0iNCIgcng9IjIiIGZpbGw9IiNmZmYiLz48cmVjdCB4PSI3IiB5PSIyMSIg"
    "d2lkdGg9IjE4IiBoZWlnaHQ9IjQiIHJ4PSIyIiBmaWxsPSIjZmZmIi8+PC9zdmc+"
)


class PatternList(BaseModel):
    patterns: list[PatternSummary]
    total: int = Field(description="Number of patterns returned.")


class Recommendations(BaseModel):
    need: str
    recommendations: list[Recommendation] = Field(description="Best first.")


def _register_catalog_tools(mcp: FastMCP, services: Services) -> None:
    catalog = services.catalog

    @mcp.tool(annotations=READ_ONLY, title="List patterns")
    def list_patterns(
        category: Annotated[
            Literal["skeleton", "guard", "bridge", "operations"] | None,
            Field(
                description="skeleton = who mounts whom; guard = middleware/security; bridge = lifespan, MCP, "
                "SEO; operations = launchers, background work, tracing, proxies, workers, containers."
            ),
        ] = None,
        query: Annotated[
            str | None,
            Field(description="Words that must all appear, e.g. 'fastapi' or 'websocket auth'.", max_length=200),
        ] = None,
        streamlit_version: StreamlitVersion = None,
    ) -> PatternList:
        """List the integration patterns, optionally filtered by category and words; each carries the Streamlit
        releases it is proven on, and with streamlit_version how it stands on yours (proven / failing / untested,
        with anything to pin).

        Examples: list_patterns() -> all; list_patterns(category="guard"); list_patterns(streamlit_version="1.58").
        """
        with tool_errors():
            found = catalog.list(category=category, query=query, streamlit_version=streamlit_version)
        return PatternList(patterns=found, total=len(found))

    # One JSON text block (no structuredContent copy): the code is read by the model, and a second copy of every
    # file would double what a client holds.
    @mcp.tool(annotations=READ_ONLY, title="Get a pattern's code", output_schema=None)
    def get_pattern(
        pattern_id: PatternId,
        streamlit_version: StreamlitVersion = None,
        include: Annotated[
            list[str],
            Field(
                description="More files by name: 'explanation.md', 'pattern.toml', 'probes.toml', or 'all'. "
                "By default only the reference app's code files come.",
                max_length=50,
            ),
        ] = [],  # noqa: B006 (read only, never mutated; a list default shows in the schema)
        max_bytes: Annotated[
            int | None, Field(description="Cut the files' text at this many bytes (>= 256).", ge=256, le=1_000_000)
        ] = None,
        offset: Annotated[int, Field(description="Continue at a previous answer's next_offset.", ge=0)] = 0,
    ) -> ToolResult:  # PatternDetail, as JSON text
        """A pattern's metadata (when (not) to use it, pitfalls, the URL paths it adds, how to run it, the Streamlit
        releases it is proven on) and the full text of its tested reference app's code files. The explanation is
        explain_pattern's; name other files in include. With max_bytes the files are cut there and next_offset
        says where to continue. Pass streamlit_version (yours, e.g. "1.58.1") for the answer on that release.

        Example: get_pattern(pattern_id="mount_fastapi", streamlit_version="1.58").
        """
        with tool_errors():
            detail = catalog.detail(pattern_id, streamlit_version, include=include, max_bytes=max_bytes, offset=offset)
            return as_text(detail)

    @mcp.tool(annotations=READ_ONLY, title="Explain a pattern", output_schema=None)  # markdown for the model
    def explain_pattern(pattern_id: PatternId) -> ToolResult:  # Explanation, as JSON text
        """Why a pattern works: the problem, how it works step by step, the key lines, and what breaks if you get
        it wrong. Example: explain_pattern(pattern_id="middleware_ip_whitelist").
        """
        with tool_errors():
            return as_text(catalog.get(pattern_id).explanation)

    @mcp.tool(annotations=READ_ONLY, title="Recommend patterns for a need")
    def recommend_pattern(
        need: Annotated[
            str,
            Field(description="The need in plain words, e.g. 'password-protect my dashboard'.", max_length=2000),
        ],
        limit: Annotated[int, Field(description="How many patterns to return.", ge=1, le=20)] = 3,
    ) -> Recommendations:
        """Patterns ranked for a described need, best first, each with the reason it fits.

        Example: recommend_pattern(need="add a JSON API next to my Streamlit dashboard").
        """
        with tool_errors():
            return Recommendations(need=need, recommendations=recommend(catalog, need, limit))


def _register_resources(mcp: FastMCP, services: Services) -> None:
    """Templates, not one resource per file: resources/list stays small, and completions offer ids and paths."""
    catalog = services.catalog

    @mcp.resource(
        "pattern://{pattern_id}/explanation",
        name="pattern explanation",
        description="Why and how a pattern works (markdown): pattern://mount_fastapi/explanation.",
        mime_type="text/markdown",
    )
    def explanation(pattern_id: str) -> str:
        with tool_errors():
            return catalog.get(pattern_id).explanation.markdown

    @mcp.resource(
        "pattern://{pattern_id}/files/{path*}",
        name="pattern file",
        description="One file of a pattern's reference app: pattern://mount_fastapi/files/app.py.",
        mime_type="text/plain",
    )
    def pattern_file(pattern_id: str, path: str) -> str:
        with tool_errors():
            return catalog.get(pattern_id).read_file(path)

    @mcp.resource("pattern://catalog", name="catalog", mime_type="application/json")
    def catalog_index() -> str:
        """Every pattern's summary as JSON."""
        return PatternList(patterns=catalog.list(), total=len(catalog)).model_dump_json(indent=2)

    @mcp.completion
    def complete(ref: object, argument: CompletionArgument, context: CompletionContext | None) -> list[str] | None:
        """Pattern ids for {pattern_id}; that pattern's files for {path}."""
        if not isinstance(ref, ResourceTemplateReference) or not ref.uri.startswith("pattern://{pattern_id}"):
            return None
        typed = argument.value
        if argument.name == "pattern_id":
            return [pid for pid in catalog.ids() if pid.startswith(typed)][:100]
        if argument.name == "path":
            chosen = (context.arguments or {}).get("pattern_id") if context else None
            if chosen not in catalog.ids():
                return []
            return [name for name in catalog.get(chosen).files if name.startswith(typed)][:100]
        return None


def _register_prompts(mcp: FastMCP) -> None:
    @mcp.prompt
    def add_fastapi_endpoint(endpoint: str = "GET /api/items returning JSON") -> str:
        """Add a FastAPI endpoint to an existing Streamlit app, served by the same process and port."""
        return (
            f"I have a Streamlit app and want to add this endpoint: {endpoint}.\n"
            "Use st-patterns: call get_pattern(pattern_id='mount_fastapi') and follow its reference app "
            "(st.App(script, routes=[Mount('/api', app=api)]), absolute script path, async handlers). "
            "Then call check_app on the code you wrote and fix every finding."
        )

    @mcp.prompt
    def secure_streamlit_app(requirement: str = "only logged-in users may see the dashboard") -> str:
        """Protect a Streamlit app with middleware that also guards the websocket."""
        return (
            f"Requirement: {requirement}.\n"
            "Call recommend_pattern with that requirement, then get_pattern on the best match. Guards must be pure "
            "ASGI middleware covering both http and websocket scopes (Streamlit's UI runs over /_stcore/stream); "
            "exempt only /_stcore/health. Run check_app on the result."
        )


def build_mcp(services: Services, auth: AuthProvider | None = None) -> FastMCP:
    """The FastMCP server with every tool, resource and prompt; served over stdio or mounted at /mcp.

    With ``auth`` (the assembly passes ``bearer_verifier(token)``), HTTP clients must authenticate; FastMCP
    answers 401 otherwise.
    """
    mcp = FastMCP(
        "st-patterns",
        instructions=INSTRUCTIONS,
        version=__version__,
        icons=[Icon(src=ICON, mime_type="image/svg+xml", sizes=["any"])],
        mask_error_details=True,
        auth=auth,
    )
    # FastMCP 4.2 takes no title or description; its low-level server puts them in serverInfo.
    mcp._mcp_server.title = TITLE
    mcp._mcp_server.description = DESCRIPTION
    _register_catalog_tools(mcp, services)
    register_validation_tools(mcp, services)
    register_matrix_tools(mcp, services)
    if services.registry is not None:
        register_instance_tools(mcp, services)
        register_app_tools(mcp, services)
        register_app_proving_tools(mcp, services)
    _register_resources(mcp, services)
    register_skill(mcp, services)
    _register_prompts(mcp)
    return mcp
