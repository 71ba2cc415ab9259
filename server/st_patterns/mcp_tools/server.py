"""The MCP face: tools, resources and prompts over the core. Each tool body is one call into the core.

Core errors (``StPatternsError``) become ``ToolError`` with the core's message, once, in ``_tool_errors``.

Example::

    mcp = build_mcp(Services(catalog=Catalog.load()))
    mcp.run()            # stdio
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider
from pydantic import BaseModel, Field

from st_patterns import __version__
from st_patterns.catalog.loader import Pattern
from st_patterns.catalog.recommend import recommend
from st_patterns.mcp_tools.app_tools import register_app_proving_tools, register_app_tools
from st_patterns.mcp_tools.common import READ_ONLY, PatternId, StreamlitVersion, tool_errors
from st_patterns.mcp_tools.instance_tools import register_instance_tools
from st_patterns.mcp_tools.matrix_tools import register_matrix_tools
from st_patterns.mcp_tools.validation_tools import register_validation_tools
from st_patterns.models import Explanation, PatternDetail, PatternSummary, Recommendation
from st_patterns.services import Services

INSTRUCTIONS = """\
st-patterns teaches how to combine Streamlit with Starlette/FastAPI through Streamlit's ASGI entry point
st.App (Streamlit >= 1.67). Start with recommend_pattern (describe the need) or list_patterns, read a pattern
with get_pattern (metadata + full source) or explain_pattern (why it works, what breaks), then adapt its
source. Every pattern's reference app is tested against real HTTP and websocket probes.
"""


class PatternList(BaseModel):
    patterns: list[PatternSummary]
    total: int = Field(description="Number of patterns returned.")


class Recommendations(BaseModel):
    need: str
    recommendations: list[Recommendation] = Field(description="Best first.")


def _register_catalog_tools(mcp: FastMCP, services: Services) -> None:
    catalog = services.catalog

    @mcp.tool(annotations=READ_ONLY)
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

    @mcp.tool(annotations=READ_ONLY)
    def get_pattern(pattern_id: PatternId, streamlit_version: StreamlitVersion = None) -> PatternDetail:
        """Everything needed to use a pattern: metadata, when (not) to use it, pitfalls, the URL paths it adds,
        how to run it, the full text of every source file of its tested reference app, and the Streamlit releases
        it is proven on. Pass streamlit_version (yours, e.g. "1.58.1") for the answer on that release.

        Example: get_pattern(pattern_id="mount_fastapi", streamlit_version="1.58").
        """
        with tool_errors():
            return catalog.detail(pattern_id, streamlit_version)

    @mcp.tool(annotations=READ_ONLY)
    def explain_pattern(pattern_id: PatternId) -> Explanation:
        """Why a pattern works: the problem, how it works step by step, the key lines, and what breaks if you get
        it wrong. Example: explain_pattern(pattern_id="middleware_ip_whitelist").
        """
        with tool_errors():
            return catalog.get(pattern_id).explanation

    @mcp.tool(annotations=READ_ONLY)
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


def _reader(pattern: Pattern, rel: str) -> Callable[[], str]:
    def read() -> str:
        return pattern.read_file(rel)

    return read


def _register_resources(mcp: FastMCP, services: Services) -> None:
    catalog = services.catalog

    def add_pattern_resources(pattern: Pattern) -> None:
        mcp.resource(
            f"pattern://{pattern.id}/explanation",
            name=f"{pattern.id} explanation",
            description=f"Why and how {pattern.meta.title} works (markdown).",
            mime_type="text/markdown",
        )(lambda: pattern.explanation.markdown)
        for rel in pattern.files:
            mcp.resource(
                f"pattern://{pattern.id}/files/{rel}",
                name=f"{pattern.id}/{rel}",
                description=f"Source file {rel} of pattern {pattern.id}.",
                mime_type="text/x-python" if rel.endswith(".py") else "text/plain",
            )(_reader(pattern, rel))

    for pattern in catalog:
        add_pattern_resources(pattern)

    @mcp.resource("pattern://catalog", name="catalog", mime_type="application/json")
    def catalog_index() -> str:
        """Every pattern's summary as JSON."""
        return PatternList(patterns=catalog.list(), total=len(catalog)).model_dump_json(indent=2)


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
        mask_error_details=True,
        auth=auth,
    )
    _register_catalog_tools(mcp, services)
    register_validation_tools(mcp, services)
    register_matrix_tools(mcp, services)
    if services.registry is not None:
        register_instance_tools(mcp, services)
        register_app_tools(mcp, services)
        register_app_proving_tools(mcp, services)
    _register_resources(mcp, services)
    _register_prompts(mcp)
    return mcp
