"""The docs cannot drift: every MCP tool, CLI command and pattern appears in the README; every rule is explained."""

from __future__ import annotations

from pathlib import Path

from fastmcp import Client

from st_patterns.catalog.loader import Catalog
from st_patterns.checker import RULES
from st_patterns.cli.main import build_parser
from st_patterns.instances.registry import Registry
from st_patterns.mcp_tools.server import build_mcp
from st_patterns.services import Services

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PACKAGE = ROOT / "server" / "st_patterns"
MAX_TOP_LEVEL_MODULES = 8
MAX_MODULE_LINES = 500


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


def test_every_checker_rule_is_in_the_readme_table() -> None:
    table = README.split("## Checking your code", 1)[1].split("\n## ", 1)[0]
    assert not [rule.id for rule in RULES if f"| `{rule.id}` | {rule.severity} |" not in table]


def test_every_checker_rule_is_explained() -> None:
    assert len(RULES) >= 16
    for rule in RULES:
        assert rule.explanation and len(rule.explanation) > 30, rule.id
        assert rule.severity in ("error", "warning", "info")


def _layout_section() -> str:
    return README.split("## Layout", 1)[1].split("\n## ", 1)[0]


def test_layout_names_every_subpackage_and_top_level_module() -> None:
    layout = _layout_section()
    subpackages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("__"))
    assert {"catalog", "instances", "proving", "checker", "mcp_tools", "cli", "asgi"} <= set(subpackages)
    assert not [name for name in subpackages if f"{name}/" not in layout]
    assert not [name for name in modules if name not in layout]


def test_top_level_stays_a_small_vocabulary() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_outgrows_one_read() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long
