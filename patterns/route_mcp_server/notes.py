"""The data the MCP tools and the Streamlit page share: a tiny in-memory note board.

It is its own module because both app.py (the MCP tools) and ui.py (the page) import it. A real app would
keep the notes in a database; the sharing mechanics stay the same.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Literal

import streamlit as st

Source = Literal["mcp", "ui"]


class NoteBoard:
    """Thread-safe: MCP tools run on the event loop, the Streamlit script in its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notes: list[dict[str, object]] = []
        self.add("Notes added here or by an MCP client show up in both places.", source="ui")

    def add(self, text: str, source: Source) -> dict[str, object]:
        with self._lock:
            note = {
                "id": len(self._notes) + 1,
                "text": text,
                "source": source,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            self._notes.append(note)
            return dict(note)

    def list(self) -> list[dict[str, object]]:
        with self._lock:
            return [dict(note) for note in self._notes]


# One board per process. st.cache_resource (not a module-level global) because Streamlit's file watcher
# re-imports this module after an edit while a tab is open; a global would then split into two boards.
@st.cache_resource(show_spinner=False)
def get_board() -> NoteBoard:
    return NoteBoard()
