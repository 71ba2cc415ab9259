"""``st-patterns check PATH...``: files and folders checked with the project's settings, in one result.

Each file is read with what it imports from its folder; each folder is a project (every module, linked). The
settings (``[tool.st-patterns]``, overridden by flags) select rules, leave paths out and say which severity fails.

Example::

    run = check_paths([Path("app.py"), Path("services/")], find_config(Path.cwd()))
    run.failed, [(path, f.rule_id) for path, f in run.located()]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from st_patterns.checker import RULES_BY_ID, _report, check_file
from st_patterns.checker.config import CheckConfig
from st_patterns.checker.models import CheckReport, Finding
from st_patterns.checker.project_mode import check_project
from st_patterns.errors import InvalidInput
from st_patterns.projects.linker import Project
from st_patterns.projects.streamlit_version import StreamlitTarget


class CheckRun(BaseModel):
    """Every checked path's findings, filtered by the settings; ``failed`` decides the exit status."""

    files: list[CheckReport] = Field(description="One report per file with findings; `filename` is as shown.")
    checked: int = Field(ge=0, description="Python files checked.")
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)
    infos: int = Field(ge=0)
    suppressed: int = Field(ge=0, description="Findings silenced by ignore comments.")
    fail_on: str
    failed: bool = Field(description="A finding at or above `fail_on` remains.")
    entries: list[str] = Field(default_factory=list, description="App entries found in checked folders.")
    skipped: list[str] = Field(default_factory=list)

    def located(self) -> list[tuple[str, Finding]]:
        return [(report.filename, f) for report in self.files for f in report.findings]


def shown(path: Path) -> str:
    """A path as the user wrote it: relative to the working directory when it is under it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def check_paths(paths: Sequence[Path], config: CheckConfig, streamlit: StreamlitTarget | None = None) -> CheckRun:
    """Check ``paths`` (files or folders) for ``streamlit`` (default: each project's own requirement); raises
    InvalidInput for a path that is neither."""
    config.validate_rules(RULES_BY_ID)
    base = Path(config.path).parent if config.path else Path.cwd()
    by_file: dict[str, CheckReport] = {}
    checked = 0
    entries: list[str] = []
    skipped: list[str] = []
    for path in paths:
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as exc:
            raise InvalidInput(f"Cannot use {str(path)[:200]!r}: {exc}.") from exc
        if is_dir:
            project = Project.from_folder(path)
            chosen = [p for p in project.paths() if not config.excluded(_relative(path / p, base))]
            report = check_project(project, chosen, root=str(path), streamlit=streamlit)
            checked += report.checked
            entries += [f"{shown(path)}: {report.entry}"] if report.entry else []
            skipped += report.skipped
            for file_report in report.files:
                _merge(by_file, shown(path / file_report.filename), file_report.findings, file_report.suppressed)
        elif is_file:
            if config.excluded(_relative(path, base)):
                continue
            if path.suffix != ".py":
                raise InvalidInput(f"{str(path)!r} is not a .py file; pass Python modules or folders.")
            report = check_file(path, streamlit)
            checked += 1
            for finding in report.findings:
                where = path if finding.file is None else path.parent / finding.file
                _merge(by_file, shown(where), [finding], 0)
            _merge(by_file, shown(path), [], report.suppressed)
        else:
            raise InvalidInput(f"{str(path)[:200]!r} does not exist; pass .py files or project folders.")
    files = []
    for name in sorted(by_file):
        report = by_file[name]
        kept = [f.model_copy(update={"file": None}) for f in report.findings if config.keeps(f)]
        if kept or report.suppressed:
            files.append(_counted(name, kept, report.suppressed))
    every = [f for report in files for f in report.findings]
    return CheckRun(
        files=files,
        checked=checked,
        errors=sum(r.errors for r in files),
        warnings=sum(r.warnings for r in files),
        infos=sum(r.infos for r in files),
        suppressed=sum(r.suppressed for r in files),
        fail_on=config.fail_on,
        failed=config.fails(every),
        entries=entries,
        skipped=skipped,
    )


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _merge(by_file: dict[str, CheckReport], name: str, findings: list[Finding], suppressed: int) -> None:
    current = by_file.get(name)
    if current is None:
        by_file[name] = _counted(name, list(findings), suppressed)
        return
    seen = {(f.rule_id, f.line, f.column) for f in current.findings}
    merged = current.findings + [f for f in findings if (f.rule_id, f.line, f.column) not in seen]
    by_file[name] = _counted(name, merged, current.suppressed + suppressed)


def _counted(name: str, findings: list[Finding], suppressed: int) -> CheckReport:
    return _report(name, findings).model_copy(update={"suppressed": suppressed})
