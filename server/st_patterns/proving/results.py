"""Validation results: the latest report per pattern, shared by the MCP tools, the CLI and the dashboard.

The engine that produces reports (boot the app, run pattern + universal checks, stop it) is in
``validator.py``; this module only keeps results, so every face reads the same ones.

Example::

    store = ValidationStore()
    store.record(report)
    store.latest()["mount_fastapi"].passed
"""

from __future__ import annotations

import threading

from st_patterns.models import ValidationReport, ValidationSummary


class ValidationStore:
    """Thread-safe map of pattern id -> latest ValidationReport, with a version that changes on every record."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, ValidationReport] = {}
        self.version = 0

    def record(self, report: ValidationReport) -> None:
        with self._lock:
            self._reports[report.pattern_id] = report
            self.version += 1

    def latest(self) -> dict[str, ValidationReport]:
        with self._lock:
            return dict(sorted(self._reports.items()))

    def get(self, pattern_id: str) -> ValidationReport | None:
        with self._lock:
            return self._reports.get(pattern_id)


def only_failures(summary: ValidationSummary) -> ValidationSummary:
    """The summary with each report's checks cut to the red ones: what an agent acts on (the counts stay)."""
    reports = [r.model_copy(update={"checks": [c for c in r.checks if not c.passed]}) for r in summary.reports]
    return summary.model_copy(update={"reports": reports})
