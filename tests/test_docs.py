"""The docs cannot drift: every MCP tool, CLI command and pattern appears in the README; every rule is explained."""

from __future__ import annotations

from pathlib import Path

from fastmcp import Client

from st_patterns.catalog import Catalog
from st_patterns.checker import RULES
from st_patterns.cli import build_parser
from st_patterns.mcp_server import build_mcp
from st_patterns.registry import Registry
from st_patterns.services import Services

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


async def test_every_mcp_tool_is_in_the_readme(catalog: Catalog, tmp_path: Path) -> None:
    services = Services(catalog=catalog, registry=Registry(catalog, tmp_path))
    async with Client(build_mcp(services)) as client:
        names = {t.name for t in await client.list_tools()}
    assert len(names) >= 13
    missing = [name for name in names if f"`{name}`" not in README]
    assert not missing


def test_every_cli_command_is_in_the_readme() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in sub.choices if f"st-patterns {name}" not in README and f"`{name}" not in README]
    assert not missing


def test_every_pattern_is_in_the_readme(catalog: Catalog) -> None:
    assert not [pid for pid in catalog.ids() if f"`{pid}`" not in README]


def test_every_checker_rule_is_explained() -> None:
    assert len(RULES) >= 16
    for rule in RULES:
        assert rule.explanation and len(rule.explanation) > 30, rule.id
        assert rule.severity in ("error", "warning", "info")
