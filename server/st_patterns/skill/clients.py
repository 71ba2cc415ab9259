"""Where each agent client loads skills from, so ``skill export --for CLIENT`` puts the folder where it is found.

A project-scoped folder sits under the project root (checked in with the code); a user-scoped one under the home
folder (every project of that user). These are the clients' documented conventions as of late 2026.

Example::

    skill_root("claude", project=Path("."))   # ./.claude/skills
    skill_root("cursor", user=True)           # ~/.cursor/skills
"""

from __future__ import annotations

from pathlib import Path

from st_patterns.errors import InvalidInput

# client -> (folder under a project, folder under the home folder)
CLIENTS: dict[str, tuple[str, str]] = {
    "claude": (".claude/skills", ".claude/skills"),
    "cursor": (".cursor/skills", ".cursor/skills"),
    "codex": (".codex/skills", ".codex/skills"),
    "copilot": (".github/skills", ".copilot/skills"),
    "gemini": (".gemini/skills", ".gemini/skills"),
    "goose": (".agents/skills", ".config/agents/skills"),
    "opencode": (".opencode/skills", ".config/opencode/skills"),
}


def skill_root(client: str, *, project: Path | None = None, user: bool = False, home: Path | None = None) -> Path:
    """The folder ``client`` reads skills from: under ``project`` (default the cwd), or the home folder."""
    if client not in CLIENTS:
        raise InvalidInput(f"Unknown client {client!r}. Known: {', '.join(CLIENTS)}.")
    in_project, in_home = CLIENTS[client]
    if user:
        return (home or Path.home()) / in_home
    return (project or Path.cwd()) / in_project
