"""The checker's findings in the forms other tools read: text for people, JSON, SARIF 2.1.0 for code scanning,
and GitHub Actions workflow commands (annotations on the pull request's lines).

Every formatter takes the same flat list of ``(path, Finding)`` pairs, paths as they should appear (relative to
the repository root for SARIF and GitHub).

Example::

    print(to_sarif([("app.py", finding)], RULES))
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from st_patterns import __version__
from st_patterns.checker._context import Rule
from st_patterns.checker.models import Finding, Severity

Located = tuple[str, Finding]
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/st-patterns/st-patterns"
_SARIF_LEVEL: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "notice"}


def to_text(findings: Sequence[Located]) -> str:
    """``path:line:col: severity [rule] message`` and the fix under it, one block per finding."""
    blocks = []
    for path, f in findings:
        see = f" (see pattern {f.see_pattern})" if f.see_pattern else ""
        blocks.append(f"{path}:{f.line}:{f.column}: {f.severity} [{f.rule_id}] {f.message}\n    fix: {f.fix}{see}")
    return "\n".join(blocks)


def to_github(findings: Sequence[Located]) -> str:
    """``::error file=...,line=...,col=...,title=...::message``: GitHub turns each line into an annotation."""
    lines = []
    for path, f in findings:
        props = f"file={_prop(path)},line={f.line},col={f.column},title={_prop(f'st-patterns {f.rule_id}')}"
        text = f"{f.message} Fix: {f.fix}" + (f" (see pattern {f.see_pattern})" if f.see_pattern else "")
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_data(text)}")
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def to_sarif(findings: Sequence[Located], rules: Sequence[Rule]) -> str:
    """One SARIF 2.1.0 run: the rules as the tool's driver, each finding as a result with its location."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    for path, f in findings:
        result: dict[str, object] = {
            "ruleId": f.rule_id,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message} Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        if f.rule_id in index:
            result["ruleIndex"] = index[f.rule_id]
        if f.see_pattern:
            result["properties"] = {"seePattern": f.see_pattern}
        results.append(result)
    driver = {
        "name": "st-patterns",
        "version": __version__,
        "informationUri": INFO_URI,
        "rules": [_sarif_rule(rule) for rule in rules],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2)


def _sarif_rule(rule: Rule) -> dict[str, object]:
    described: dict[str, object] = {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.fix + (f" See the {rule.see_pattern} pattern." if rule.see_pattern else "")},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
    }
    if rule.see_pattern:
        described["properties"] = {"seePattern": rule.see_pattern}
    return described
