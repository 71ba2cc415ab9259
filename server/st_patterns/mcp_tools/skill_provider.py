"""The generated agent skill over MCP: its files as ``skill://st-patterns/...`` resources, and through the Skills
extension (``skills/list``, ``skills/get``) for clients that load skills from servers. The same bytes as
``st-patterns skill export`` writes.
"""

from __future__ import annotations

from fastmcp import FastMCP
from fastmcp.skills import Skill
from fastmcp.skills.provider import SkillCatalogProvider

from st_patterns.services import Services
from st_patterns.skill.build import build_skill, with_frontmatter


def register_skill(mcp: FastMCP, services: Services) -> None:
    skill = Skill.from_files(with_frontmatter(build_skill(services.catalog)))
    mcp.add_provider(SkillCatalogProvider([skill]))
