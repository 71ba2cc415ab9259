"""Process-wide resources shared by the routes and the Streamlit page (same process)."""

from typing import Any

store: dict[str, Any] = {}


def classifier():
    return store["classifier"]
