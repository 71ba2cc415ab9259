"""``# st-patterns: ignore[rule-id]`` comments: the reviewed exceptions a project keeps in its code.

``# st-patterns: ignore`` on the reported line silences every rule there; ``ignore[a, b]`` only those rules.

>>> kept, dropped = apply_suppressions([], lambda file: "")
>>> kept, dropped
([], 0)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from st_patterns.checker.models import Finding

IGNORE = re.compile(r"#\s*st-patterns:\s*ignore(?:\[(?P<ids>[^\]]*)\])?", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")


def ignored_on(line: str) -> set[str] | None:
    """Rule ids a line's comment silences (an empty set: all of them), or None when it has no such comment."""
    match = IGNORE.search(line)
    if match is None:
        return None
    ids = match.group("ids")
    return set() if ids is None else {part.strip() for part in ids.split(",") if part.strip()}


def apply_suppressions(
    findings: Sequence[Finding], source_of: Callable[[str | None], str]
) -> tuple[list[Finding], int]:
    """Drop findings whose line carries an ignore comment for their rule; ``source_of(finding.file)`` is the text."""
    lines: dict[str | None, list[str]] = {}
    comments: dict[tuple[str | None, int], set[str] | None] = {}  # each line read once, however many findings
    kept: list[Finding] = []
    dropped = 0
    for finding in findings:
        if finding.file not in lines:
            lines[finding.file] = _NEWLINE.split(source_of(finding.file))
        text = lines[finding.file]
        key = (finding.file, finding.line)
        if key not in comments:
            comments[key] = ignored_on(text[finding.line - 1]) if finding.line <= len(text) else None
        ids = comments[key]
        if ids is not None and (not ids or finding.rule_id in ids):
            dropped += 1
        else:
            kept.append(finding)
    return kept, dropped
