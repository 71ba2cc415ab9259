"""Every catalog tool, resource and prompt through an in-memory FastMCP client."""

from __future__ import annotations

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from st_patterns.catalog.loader import Catalog
from st_patterns.mcp_tools.server import build_mcp
from st_patterns.services import Services


@pytest.fixture
async def client(catalog: Catalog):
    async with Client(build_mcp(Services(catalog=catalog))) as c:
        yield c


async def test_tools_are_annotated_and_described(client: Client) -> None:
    tools = {t.name: t for t in await client.list_tools()}
    assert {"list_patterns", "get_pattern", "explain_pattern", "recommend_pattern"} <= set(tools)
    for name in ("list_patterns", "get_pattern", "explain_pattern", "recommend_pattern"):
        tool = tools[name]
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.output_schema is not None, f"{name} must return structured output"
        assert "Example" in (tool.description or "")


async def test_list_patterns_returns_all_and_filters(client: Client, catalog: Catalog) -> None:
    everything = (await client.call_tool("list_patterns", {})).structured_content
    assert everything["total"] == len(catalog) == len(everything["patterns"])
    guards = (await client.call_tool("list_patterns", {"category": "guard"})).structured_content
    assert guards["total"] >= 4 and all(p["category"] == "guard" for p in guards["patterns"])
    django = (await client.call_tool("list_patterns", {"query": "django"})).structured_content
    assert [p["id"] for p in django["patterns"]] == ["mount_django"]


async def test_get_pattern_returns_every_source_file(client: Client, catalog: Catalog) -> None:
    detail = (await client.call_tool("get_pattern", {"pattern_id": "mount_flask"})).structured_content
    pattern = catalog.get("mount_flask")
    assert {f["path"] for f in detail["files"]} == set(pattern.files)
    app_py = next(f["text"] for f in detail["files"] if f["path"] == "app.py")
    assert app_py == (pattern.folder / "app.py").read_text()
    assert "a2wsgi" in detail["requirements"] or "a2wsgi" in app_py
    assert detail["run"].startswith("uvicorn")


async def test_explain_pattern_is_structured(client: Client) -> None:
    exp = (await client.call_tool("explain_pattern", {"pattern_id": "middleware_auth"})).structured_content
    assert "websocket" in (exp["how_it_works"] + exp["what_breaks"]).lower()
    assert exp["markdown"].count("## ") >= 4


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("password protect my dashboard so only logged in users see it", "middleware_auth"),
        ("only allow requests from our office network 10.0.0.0/8", "middleware_ip_whitelist"),
        ("serve robots.txt and a sitemap for search engines", "route_seo_metadata"),
        ("expose tools to AI agents over MCP", "route_mcp_server"),
        ("I have an existing Flask app", "mount_flask"),
        ("add a content security policy and clickjacking protection", "middleware_security_headers"),
        ("load an ML model once at startup and close the pool on shutdown", "core_lifespan_lifecycle"),
    ],
)
async def test_recommend_pattern_ranks_the_obvious_match_first(client: Client, need: str, expected: str) -> None:
    recs = (await client.call_tool("recommend_pattern", {"need": need})).structured_content["recommendations"]
    assert recs[0]["pattern"]["id"] == expected, [r["pattern"]["id"] for r in recs]
    assert recs[0]["reason"]


async def test_unknown_id_is_a_tool_error_listing_valid_ids(client: Client) -> None:
    with pytest.raises(ToolError, match="mount_fastapi"):
        await client.call_tool("get_pattern", {"pattern_id": "mount_nothing"})


@pytest.mark.parametrize("bad", ["../../etc/passwd", "..", "mount_fastapi/../x", "A" * 64])
async def test_traversal_ids_are_refused(client: Client, bad: str) -> None:
    with pytest.raises(ToolError, match="Invalid pattern id"):
        await client.call_tool("explain_pattern", {"pattern_id": bad})


async def test_oversized_inputs_are_refused(client: Client) -> None:
    with pytest.raises(ToolError):
        await client.call_tool("recommend_pattern", {"need": "x" * 5000})
    with pytest.raises(ToolError):
        await client.call_tool("get_pattern", {"pattern_id": "a" * 1000})


async def test_resources_expose_explanations_and_sources(client: Client, catalog: Catalog) -> None:
    uris = {str(r.uri) for r in await client.list_resources()}
    for pattern in catalog:
        assert f"pattern://{pattern.id}/explanation" in uris
        for rel in pattern.files:
            assert f"pattern://{pattern.id}/files/{rel}" in uris
    text = (await client.read_resource("pattern://mount_django/files/app.py"))[0].text
    assert text == (catalog.get("mount_django").folder / "app.py").read_text()


async def test_prompts_point_at_the_tools(client: Client) -> None:
    prompts = {p.name for p in await client.list_prompts()}
    assert "add_fastapi_endpoint" in prompts
    result = await client.get_prompt("add_fastapi_endpoint", {"endpoint": "GET /api/items"})
    assert "mount_fastapi" in result.messages[0].content.text
