"""Shared pieces of the MCP face: argument types, tool annotations, and the one place core errors become ToolError."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastmcp.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from st_patterns.errors import StPatternsError

READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

PatternId = Annotated[
    str,
    Field(
        description="A pattern id from list_patterns, e.g. 'mount_fastapi' or 'middleware_auth'.",
        min_length=1,
        max_length=64,
    ),
]
StreamlitVersion = Annotated[
    str | None,
    Field(
        description="Your Streamlit release, e.g. '1.58' or '1.58.1' (see `pip show streamlit`): the answer is for it.",
        max_length=40,
    ),
]


@contextlib.contextmanager
def tool_errors() -> Iterator[None]:
    try:
        yield
    except StPatternsError as exc:
        raise ToolError(str(exc)) from exc
