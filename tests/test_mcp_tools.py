"""Every catalog tool, resource and prompt through an in-memory FastMCP client."""

from __future__ import annotations

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from mcp_types import ResourceTemplateReference

from st_patterns.catalog.loader import Catalog
from st_patterns.mcp_tools.server import build_mcp
from st_patterns.services import Services

from conftest import payload


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
        if name in ("get_pattern", "explain_pattern"):  # one JSON text block: the model reads it, no second copy
            assert tool.output_schema is None, name
        else:
            assert tool.output_schema is not None, f"{name} must return structured output"
        assert tool.title, f"{name} needs a title"
        assert "Example" in (tool.description or "")


async def test_list_patterns_returns_all_and_filters(client: Client, catalog: Catalog) -> None:
    everything = (await client.call_tool("list_patterns", {})).structured_content
    assert everything["total"] == len(catalog) == len(everything["patterns"])
    guards = (await client.call_tool("list_patterns", {"category": "guard"})).structured_content
    assert guards["total"] >= 4 and all(p["category"] == "guard" for p in guards["patterns"])
    django = (await client.call_tool("list_patterns", {"query": "django"})).structured_content
    assert [p["id"] for p in django["patterns"]] == ["mount_django"]


async def test_get_pattern_returns_the_code_files_and_names_the_rest(client: Client, catalog: Catalog) -> None:
    result = await client.call_tool("get_pattern", {"pattern_id": "mount_flask"})
    assert result.structured_content is None and len(result.content) == 1  # one copy, as JSON text
    detail = payload(result)
    pattern = catalog.get("mount_flask")
    assert {f["path"] for f in detail["files"]} == set(pattern.code_files)
    assert detail["other_files"] == ["explanation.md", "pattern.toml", "probes.toml"]
    assert "next_offset" not in detail and all(f["complete"] for f in detail["files"])  # nulls are left out
    everything = payload(await client.call_tool("get_pattern", {"pattern_id": "mount_flask", "include": ["all"]}))
    assert {f["path"] for f in everything["files"]} == set(pattern.files) and everything["other_files"] == []
    app_py = next(f["text"] for f in detail["files"] if f["path"] == "app.py")
    assert app_py == (pattern.folder / "app.py").read_text()
    assert "a2wsgi" in detail["requirements"] or "a2wsgi" in app_py
    assert detail["run"].startswith("uvicorn")


async def test_explain_pattern_is_structured(client: Client) -> None:
    exp = payload(await client.call_tool("explain_pattern", {"pattern_id": "middleware_auth"}))
    assert "websocket" in (exp["how_it_works"] + exp["what_breaks"]).lower()
    assert exp["markdown"].count("## ") >= 4


async def test_max_bytes_pages_the_files_and_the_pages_add_up_to_every_byte(client: Client, catalog: Catalog) -> None:
    whole = payload(await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "include": ["all"]}))
    texts: dict[str, str] = {}
    offset, pages = 0, 0
    while offset is not None and pages < 200:
        page = payload(
            await client.call_tool(
                "get_pattern", {"pattern_id": "middleware_auth", "include": ["all"], "max_bytes": 700, "offset": offset}
            )
        )
        assert sum(len(f["text"].encode()) for f in page["files"]) <= 700
        for f in page["files"]:
            texts[f["path"]] = texts.get(f["path"], "") + f["text"]
        offset, pages = page.get("next_offset"), pages + 1
    assert pages > 5 and texts == {f["path"]: f["text"] for f in whole["files"]}
    assert whole["total_bytes"] == sum(len(t.encode()) for t in texts.values())
    with pytest.raises(ToolError, match="offset must be between"):
        await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "offset": 10**9})
    with pytest.raises(ToolError, match="not a file of"):
        await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "include": ["../secret"]})


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


async def test_resources_are_templates_with_completions(client: Client, catalog: Catalog) -> None:
    templates = {t.uri_template for t in await client.list_resource_templates()}
    assert {"pattern://{pattern_id}/explanation", "pattern://{pattern_id}/files/{path*}"} <= templates
    uris = {str(r.uri) for r in await client.list_resources()}
    assert not [u for u in uris if u.startswith("pattern://") and u != "pattern://catalog"]  # no list of every file
    text = (await client.read_resource("pattern://mount_django/files/app.py"))[0].text
    assert text == (catalog.get("mount_django").folder / "app.py").read_text()
    nested = (await client.read_resource("pattern://secrets_and_config/files/.streamlit/config.toml"))[0].text
    assert nested == (catalog.get("secrets_and_config").folder / ".streamlit/config.toml").read_text()
    explanation = (await client.read_resource("pattern://middleware_auth/explanation"))[0].text
    assert explanation == catalog.get("middleware_auth").explanation.markdown
    for outside in ("pattern://mount_django/files/../../etc/passwd", "pattern://mount_django/files/nope.py"):
        with pytest.raises(Exception, match=r"not a file of|not found"):  # nothing outside the pattern's own files
            await client.read_resource(outside)
    ref = ResourceTemplateReference(type="ref/resource", uri="pattern://{pattern_id}/files/{path*}")
    ids = await client.complete(ref, {"name": "pattern_id", "value": "mount_"})
    assert ids.values == [pid for pid in catalog.ids() if pid.startswith("mount_")]
    paths = await client.complete(ref, {"name": "path", "value": ""}, context_arguments={"pattern_id": "mount_flask"})
    assert paths.values == list(catalog.get("mount_flask").files)
    unknown = await client.complete(ref, {"name": "path", "value": ""}, context_arguments={"pattern_id": "nope"})
    assert unknown.values == []


async def test_prompts_point_at_the_tools(client: Client) -> None:
    prompts = {p.name for p in await client.list_prompts()}
    assert "add_fastapi_endpoint" in prompts
    result = await client.get_prompt("add_fastapi_endpoint", {"endpoint": "GET /api/items"})
    assert "mount_fastapi" in result.messages[0].content.text
