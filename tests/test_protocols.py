"""The MCP features clients use, through the official `mcp` SDK client and FastMCP's client, on both protocol
revisions FastMCP 4 serves (the 2025-11-25 handshake era and 2026-07-28), against a real server over streamable
HTTP: server title/description/icon, tool titles and annotations, tight get_pattern pages, resource templates
with completions, log paging of a real instance, and the agent skill."""

from __future__ import annotations

import json

import anyio
import httpx
import mcp
import pytest
from fastmcp import Client as FastMCPClient
from mcp_types import ResourceTemplateReference

from st_patterns.catalog.loader import Catalog

from conftest import ServerProcess

pytestmark = pytest.mark.processes
MODES = ["legacy", "auto"]  # auto probes server/discover and settles on the modern revision
EXPECTED_VERSION = {"legacy": "2025-11-25", "auto": "2026-07-28"}
WRITES = {"launch_pattern", "launch_app", "restart_instance", "stop_instance", "stop_all_instances"}
RUNS = {"validate_pattern", "validate_app", "run_matrix", "check_app"}


def _text_json(result: object) -> dict:  # type: ignore[type-arg]
    return json.loads(result.content[0].text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
async def test_the_official_sdk_client_sees_titles_annotations_and_tight_answers(
    server: ServerProcess, catalog: Catalog, mode: str
) -> None:
    async with mcp.Client(server.mcp_url, mode=mode) as client:
        assert client.protocol_version == EXPECTED_VERSION[mode]
        info = client.server_info
        assert info is not None and info.name == "st-patterns" and info.title and info.description
        assert info.icons and info.icons[0].src.startswith("data:image/svg+xml;base64,")
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name, tool in tools.items():
            assert tool.title and tool.annotations is not None, name
            read_only = tool.annotations.read_only_hint
            assert read_only is (name not in WRITES | RUNS), name  # only what changes nothing says read-only
            if name in {"stop_instance", "stop_all_instances", "restart_instance"}:
                assert tool.annotations.destructive_hint is True, name
        page = await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "max_bytes": 1024})
        assert page.structured_content is None  # one copy: the JSON text
        detail = _text_json(page)
        assert sum(len(f["text"].encode()) for f in detail["files"]) <= 1024 and detail["next_offset"] > 0
        assert detail["other_files"] == ["explanation.md", "pattern.toml", "probes.toml"]
        rest = _text_json(
            await client.call_tool("get_pattern", {"pattern_id": "middleware_auth", "offset": detail["next_offset"]})
        )
        whole = (catalog.get("middleware_auth").folder / "app.py").read_text()
        joined = "".join(f["text"] for f in detail["files"] + rest["files"] if f["path"] == "app.py")
        assert joined == whole
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert "pattern://{pattern_id}/files/{path*}" in templates
        ref = ResourceTemplateReference(type="ref/resource", uri="pattern://{pattern_id}/files/{path*}")
        done = await client.complete(
            ref, {"name": "path", "value": "u"}, context_arguments={"pattern_id": "mount_flask"}
        )
        assert done.completion.values == ["ui.py"]
        read = await client.read_resource("pattern://mount_flask/files/ui.py")
        assert read.contents[0].text == (catalog.get("mount_flask").folder / "ui.py").read_text()


@pytest.mark.parametrize("mode", MODES)
async def test_fastmcp_client_pages_a_real_instances_log_and_reads_the_skill(server: ServerProcess, mode: str) -> None:
    async with FastMCPClient(server.mcp_url, mode=mode) as client:
        inst = (await client.call_tool("launch_pattern", {"pattern_id": "mount_fastapi"})).structured_content
        try:
            first = await client.call_tool("instance_logs", {"instance_id": inst["id"], "offset": 0, "limit": 2})
            page = first.structured_content
            assert page["offset"] == 0 and len(page["lines"]) <= 2 and page["next_offset"] == len(page["lines"])
            tail = (await client.call_tool("instance_logs", {"instance_id": inst["id"]})).structured_content
            end = tail["next_offset"]
            assert end == tail["total_lines"] and not tail["more"]
            assert httpx.get(inst["urls"]["/api/hello"], timeout=10).status_code == 200
            new: list[str] = []
            for _ in range(40):  # bounded: about 4 s for the access line to be written and pumped
                got = await client.call_tool("instance_logs", {"instance_id": inst["id"], "offset": end})
                new = got.structured_content["lines"]
                if new:
                    break
                await anyio.sleep(0.1)
            assert any("/api/hello" in line for line in new)  # only what was written since `end`
        finally:
            await client.call_tool("stop_instance", {"instance_id": inst["id"]})
        skill_md = (await client.read_resource("skill://st-patterns/SKILL.md"))[0].text
        assert skill_md.startswith("---\nname: st-patterns\n")
