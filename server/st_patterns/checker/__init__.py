"""Static checker for apps that combine Streamlit (``st.App``) with Starlette or FastAPI.

Pure ``ast`` analysis: the checked code is parsed, never imported or run, and no web framework is imported
here. Each rule is a heuristic aimed at one mistake seen in real apps; a finding names the rule, says what
breaks and what to write instead, and points at the catalog pattern that does it right.

>>> report = check_source('import streamlit as st\\napp = st.App(__file__)\\n')
>>> [(f.rule_id, f.line) for f in report.findings], report.ok
([('self-launching-app', 2)], False)
"""

from __future__ import annotations

import ast
import tokenize
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from st_patterns.catalog.guards import MAX_SOURCE_BYTES
from st_patterns.checker import (
    rules_app_api,
    rules_blocking,
    rules_discovery,
    rules_frameworks,
    rules_guards,
    rules_ip,
    rules_launch,
    rules_lifespan,
    rules_lifespan_shape,
    rules_login,
    rules_misc,
    rules_routing,
    rules_versions,
)
from st_patterns.checker._context import Context, Rule
from st_patterns.checker.models import CheckReport, Finding
from st_patterns.checker.rules_versions import dependency_findings
from st_patterns.checker.suppress import apply_suppressions
from st_patterns.errors import InvalidInput
from st_patterns.projects.linker import Project
from st_patterns.projects.streamlit_version import StreamlitTarget, detect

__all__ = ["RULES", "RULES_BY_ID", "CheckReport", "Finding", "Rule", "check_file", "check_source"]

SYNTAX_ERROR = Rule(
    id="syntax-error",
    severity="error",
    title="Source does not parse",
    explanation="The checker parses the source with Python's own parser; nothing else is checked until it parses.",
    fix="Fix the syntax error at the reported line (run `python -m py_compile FILE` to see it), then check again.",
    see_pattern=None,
)

_MODULES = (
    rules_guards,
    rules_login,
    rules_ip,
    rules_routing,
    rules_lifespan,
    rules_lifespan_shape,
    rules_launch,
    rules_discovery,
    rules_app_api,
    rules_blocking,
    rules_misc,
    rules_frameworks,
    rules_versions,
)
_CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = tuple(m.check for m in _MODULES)

RULES: list[Rule] = [rule for module in _MODULES for rule in module.RULES] + [SYNTAX_ERROR]
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def check_source(source: str, filename: str = "<source>", streamlit: StreamlitTarget | None = None) -> CheckReport:
    """Check Python source text; syntax errors become a ``syntax-error`` finding, not an exception.

    Raises :class:`~st_patterns.errors.InvalidInput` when the source is larger than 256 KiB.
    """
    size = len(source.encode("utf-8", errors="replace"))
    if size > MAX_SOURCE_BYTES:
        raise InvalidInput(
            f"{filename} is {size // 1024} KiB; the checker accepts at most {MAX_SOURCE_BYTES // 1024} KiB. "
            "Check the module that builds the ASGI app (the st.App / FastAPI / middleware code) on its own."
        )
    try:
        with warnings.catch_warnings():  # invalid escapes in the checked code are not the checker's output
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        return _report(filename, [_syntax_finding(exc.msg, exc.lineno, exc.offset)])
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        reason = "source contains NUL bytes" if isinstance(exc, ValueError) else "source is nested too deeply"
        return _report(filename, [_syntax_finding(reason, 1, 1)])
    return _report(filename, _findings(Context(tree, source), streamlit), lambda _file: source)


def _findings(ctx: Context, streamlit: StreamlitTarget | None) -> list[Finding]:
    """Every rule for the release ``streamlit``, plus what that release asks of the requirements."""
    ctx.streamlit = streamlit
    return run_rules(ctx) + (dependency_findings(streamlit) if streamlit is not None else [])


def run_rules(ctx: Context) -> list[Finding]:
    """Every rule over one parsed module (or a module's linked view in project mode: a ``local`` rule's findings
    on spliced definitions are dropped; their own module answers for them)."""
    findings = [finding for check in _CHECKS for finding in check(ctx)]
    return [f for f in findings if f.file is None or not _is_local(f.rule_id)]


def _is_local(rule_id: str) -> bool:
    rule = RULES_BY_ID.get(rule_id)
    return rule is not None and rule.local


def check_file(path: Path, streamlit: StreamlitTarget | None = None) -> CheckReport:
    """Read and check one Python file (its declared encoding is honoured).

    Raises :class:`~st_patterns.errors.InvalidInput` when the file is missing, unreadable, not text or too large.
    """
    path = Path(path)
    try:
        is_file = path.is_file()
        size = path.stat().st_size if is_file else 0
    except (OSError, ValueError) as exc:  # name too long, NUL byte, permission denied on a parent
        raise InvalidInput(f"Cannot use {str(path)[:200]!r} as a file path: {exc}.") from exc
    if not is_file:
        raise InvalidInput(f"{str(path)!r} is not a file; pass the path of a Python source file such as app.py.")
    if size > MAX_SOURCE_BYTES:
        raise InvalidInput(
            f"{str(path)!r} is {size // 1024} KiB; the checker accepts at most "
            f"{MAX_SOURCE_BYTES // 1024} KiB. Check the module that builds the ASGI app on its own."
        )
    try:
        with tokenize.open(path) as handle:
            source = handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read {str(path)!r} as Python source: {exc}. Save it as UTF-8 text.") from exc
    target = streamlit or detect(path.parent)
    project = Project(root=path.parent.resolve())
    view = project.linked(path.name)  # the module with what it imports from its siblings (parsed once)
    if view.module.tree is None:  # does not parse: check_source says where
        return check_source(source, filename=str(path), streamlit=target)

    def source_of(file: str | None) -> str:
        module = project.module(file) if file is not None else None
        return module.source if module is not None else source

    return _report(str(path), _findings(Context(view.tree, source, view.origins), target), source_of)


def _syntax_finding(message: str, line: int | None, column: int | None) -> Finding:
    return Finding(
        rule_id=SYNTAX_ERROR.id,
        severity="error",
        line=max(line or 1, 1),
        column=max(column or 1, 1),
        message=f"Syntax error: {message}.",
        fix=SYNTAX_ERROR.fix,
        see_pattern=None,
    )


def _report(
    filename: str, findings: list[Finding], source_of: Callable[[str | None], str] | None = None
) -> CheckReport:
    """Sorted, de-duplicated findings with their counts; ``source_of`` lets ignore comments silence some."""
    suppressed = 0
    if source_of is not None:
        findings, suppressed = apply_suppressions(findings, source_of)
    unique = {(f.file, f.rule_id, f.line, f.column, f.message): f for f in findings}
    ordered = sorted(unique.values(), key=lambda f: (f.file or "", f.line, f.column, f.rule_id))
    counts = {level: sum(1 for f in ordered if f.severity == level) for level in ("error", "warning", "info")}
    return CheckReport(
        filename=filename,
        findings=ordered,
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        ok=counts["error"] == 0,
        suppressed=suppressed,
    )
