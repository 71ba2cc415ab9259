"""Placeholder: the validator lands with issue 4."""

from __future__ import annotations

import threading


class ValidationStore:
    """Latest validation report per pattern, shared by the MCP tools and the dashboard."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, object] = {}
