"""Shared pieces of the MCP face: argument types, tool annotations, and the one place core errors become ToolError."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from mcp.types import TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from st_patterns.errors import StPatternsError

# What each tool does to the machine, for hosts that ask before acting (no tool reaches beyond this machine).
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
# boots processes (validation, a sandboxed dynamic check, matrix environments) and records results; stops them again
RUNS_PROCESSES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
LAUNCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
RESTART = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
STOP = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)

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


def as_text(model: BaseModel) -> ToolResult:
    """The model as one compact JSON text block and no structuredContent: for answers a model reads (code,
    explanations), where a second copy of every byte would double what the client holds."""
    return ToolResult(content=[TextContent(type="text", text=model.model_dump_json(exclude_none=True))])


@contextlib.contextmanager
def tool_errors() -> Iterator[None]:
    try:
        yield
    except StPatternsError as exc:
        raise ToolError(str(exc)) from exc
