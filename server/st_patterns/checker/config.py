"""``[tool.st-patterns]`` in a project's ``pyproject.toml``: which rules run, which files are left out, and which
severity fails the run. Found the way linters find theirs: the nearest ``pyproject.toml`` above the checked path
that has the table.

Example (pyproject.toml)::

    [tool.st-patterns]
    ignore = ["ui-in-launcher"]
    exclude = ["legacy/*"]
    fail-on = "warning"
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from st_patterns.checker.models import Finding
from st_patterns.errors import InvalidInput

FailOn = Literal["error", "warning", "info"]
_RANK = {"info": 0, "warning": 1, "error": 2}
ALWAYS = frozenset({"syntax-error"})  # a file that does not parse was not checked: never silenced


class CheckConfig(BaseModel):
    """The checker's settings; CLI flags override what the file says."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    select: list[str] | None = Field(default=None, description="Only these rules (default: all).")
    ignore: list[str] = Field(default_factory=list, description="Rules never reported.")
    exclude: list[str] = Field(default_factory=list, description="Glob patterns of paths (relative) not checked.")
    fail_on: FailOn = Field(default="error", alias="fail-on", description="Lowest severity that fails the run.")
    path: str | None = Field(default=None, exclude=True, description="The pyproject.toml it came from.")

    def validate_rules(self, known: Iterable[str]) -> None:
        """Raise InvalidInput naming any rule id that does not exist (a typo would silently select nothing)."""
        ids = set(known)
        wrong = sorted({r for r in [*(self.select or []), *self.ignore] if r not in ids})
        if wrong:
            where = f" in {self.path}" if self.path else ""
            raise InvalidInput(
                f"Unknown rule id(s){where}: {', '.join(wrong)}. Known rules: {', '.join(sorted(ids))} "
                "(`st-patterns rules` lists them with what each finds)."
            )

    def keeps(self, finding: Finding) -> bool:
        if finding.rule_id in ALWAYS:
            return True
        if self.select is not None and finding.rule_id not in self.select:
            return False
        return finding.rule_id not in self.ignore

    def fails(self, findings: Iterable[Finding]) -> bool:
        return any(_RANK[f.severity] >= _RANK[self.fail_on] for f in findings)

    def excluded(self, relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern.rstrip("/*") + "/")
                   for pattern in self.exclude)  # fmt: skip


def find_config(start: Path) -> CheckConfig:
    """The ``[tool.st-patterns]`` table of the nearest pyproject.toml at or above ``start`` (defaults if none)."""
    try:
        folder = (start if start.is_dir() else start.parent).resolve()
    except OSError:  # a name too long, a loop: the check itself says what is wrong with the path
        return CheckConfig()
    for candidate in [folder, *folder.parents][:30]:
        pyproject = candidate / "pyproject.toml"
        try:
            if not pyproject.is_file():
                continue
        except OSError:
            continue
        table = _table(pyproject)
        if table is not None:
            return load_config(table, str(pyproject))
    return CheckConfig()


def load_config(table: dict[str, object], path: str | None = None) -> CheckConfig:
    try:
        config = CheckConfig.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'table'}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"[tool.st-patterns] in {path or 'pyproject.toml'} is not valid: {problems}.") from exc
    config.path = path
    return config


def _table(pyproject: Path) -> dict[str, object] | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Cannot read {pyproject}: {exc}.") from exc
    tool = data.get("tool")
    table = tool.get("st-patterns") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None
