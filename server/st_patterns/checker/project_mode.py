"""Check a whole project: every module read with what it imports from its siblings, findings reported per file.

A guard defined in ``auth.py`` and attached in ``app.py`` is judged where it is attached (``app.py``'s linked
view), and the finding points into ``auth.py``. A definition another module imports is judged only by its
importers, so ``auth.py`` read on its own (where the guard is attached to nothing) cannot contradict them.

Example::

    report = check_project(Project.from_folder(Path("/work/shop")))
    report.entry, [(f.filename, f.errors) for f in report.files]
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from st_patterns.checker import SYNTAX_ERROR, _is_local, _report, run_rules
from st_patterns.checker._context import Context
from st_patterns.checker.models import CheckReport, Finding
from st_patterns.checker.rules_login import served_paths
from st_patterns.checker.rules_versions import dependency_findings
from st_patterns.errors import InvalidInput
from st_patterns.projects.entry import find_entry
from st_patterns.projects.linker import MAX_MODULES, Project
from st_patterns.projects.streamlit_version import StreamlitTarget, detect


class ProjectReport(BaseModel):
    """``check`` on a folder (or on a set of files): one report per file that has findings."""

    root: str = Field(description="The checked folder ('<files>' for files sent over MCP).")
    entry: str | None = Field(description="The app entry found the way `streamlit run` finds it ('app.py:app').")
    checked: int = Field(description="How many Python files were checked.", ge=0)
    streamlit: str | None = Field(default=None, description="The Streamlit release(s) checked for, and from where.")
    files: list[CheckReport] = Field(description="Files with findings, by path; finding lines are in that file.")
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)
    infos: int = Field(ge=0)
    suppressed: int = Field(default=0, ge=0, description="Findings silenced by ignore comments.")
    ok: bool = Field(description="True when no file has an error-level finding.")
    skipped: list[str] = Field(default_factory=list, description="Files not checked, and why.")
    truncated: bool = Field(default=False, description=f"More than {MAX_MODULES} files: only the first were checked.")


def check_project(
    project: Project,
    paths: list[str] | None = None,
    *,
    root: str = "<files>",
    streamlit: StreamlitTarget | None = None,
) -> ProjectReport:
    """Check ``paths`` (default: every module of the project) with cross-module linking, for the Streamlit
    release ``streamlit`` (default: what the project's lock file, requirements or pyproject.toml say)."""
    target = streamlit or (detect(project.root) if project.root is not None else None)
    chosen = project.paths() if paths is None else paths
    views = [project.linked(path) for path in chosen]  # all views first: then project.spliced is complete
    by_file: dict[str, list[Finding]] = {}
    skipped: list[str] = []
    contexts: list[Context] = []
    for view in views:
        module = view.module
        if module.tree is None and (module.error or "").startswith("larger"):
            skipped.append(f"{module.path}: {module.error}")
        elif module.tree is None:
            by_file.setdefault(module.path, []).append(_unparsed(module.path, module.error or "cannot parse"))
        else:
            contexts.append(Context(view.tree, module.source, view.origins))
    paths_served = frozenset(p for ctx in contexts for p in served_paths(ctx))
    for ctx, view in zip(contexts, [v for v in views if v.module.tree is not None], strict=True):
        module = view.module
        assert module.tree is not None
        ctx.project_paths = paths_served
        ctx.streamlit = target
        spliced = _spliced_lines(project, module.tree)
        for finding in run_rules(ctx):
            file = finding.file or module.path
            if finding.file is None and not _is_local(finding.rule_id) and _within(finding.line, spliced):
                continue  # judged by the module that imports this definition, where it is used
            by_file.setdefault(file, []).append(finding.model_copy(update={"file": file}))

    for finding in dependency_findings(target) if target is not None else []:
        by_file.setdefault(finding.file or "", []).append(finding)

    def source_of(file: str | None) -> str:
        module = project.module(file) if file is not None and file.endswith(".py") else None
        if module is None and file is not None and project.root is not None:
            try:
                return (project.root / file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                return ""
        return module.source if module is not None else ""

    reports = [_report(file, findings, source_of) for file, findings in sorted(by_file.items())]
    reports = [r for r in reports if r.findings or r.suppressed]
    return ProjectReport(
        root=root,
        entry=_entry(project),
        streamlit=(f"{target.spec or 'any'} (from {target.source})" if target is not None else None),
        checked=len(chosen),
        files=reports,
        errors=sum(r.errors for r in reports),
        warnings=sum(r.warnings for r in reports),
        infos=sum(r.infos for r in reports),
        suppressed=sum(r.suppressed for r in reports),
        ok=all(r.ok for r in reports),
        skipped=skipped,
        truncated=paths is None and len(chosen) >= MAX_MODULES,
    )


def check_folder(folder: Path) -> ProjectReport:
    """``st-patterns check FOLDER``; raises InvalidInput when it is not a readable folder."""
    try:
        if not folder.is_dir():
            raise InvalidInput(f"{str(folder)[:200]!r} is not a folder.")
    except OSError as exc:
        raise InvalidInput(f"Cannot use {str(folder)[:200]!r} as a folder: {exc}.") from exc
    return check_project(Project.from_folder(folder), root=str(folder))


def _within(line: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= line <= end for start, end in spans)


def _spliced_lines(project: Project, tree: object) -> list[tuple[int, int]]:
    body = getattr(tree, "body", [])
    return [(s.lineno, s.end_lineno or s.lineno) for s in body if id(s) in project.spliced]


def _unparsed(path: str, reason: str) -> Finding:
    line = 1
    if "(line " in reason:
        digits = reason.rsplit("(line ", 1)[1].rstrip(")")
        line = int(digits) if digits.isdigit() else 1
    return Finding(
        rule_id=SYNTAX_ERROR.id,
        severity="error",
        file=path,
        line=max(line, 1),
        column=1,
        message=f"Cannot check this file: {reason}.",
        fix=SYNTAX_ERROR.fix,
        see_pattern=None,
    )


def _entry(project: Project) -> str | None:
    if project.root is None:
        return None
    try:
        found = find_entry(project.root)
    except InvalidInput:
        return None
    return f"{found.file}:{found.attr}"
