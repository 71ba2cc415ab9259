"""The folders an MCP call may read: the client's declared roots, else the server's workspace."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastmcp import Context

from st_patterns.projects.roots import roots_from_uris
from st_patterns.services import Services


async def allowed_roots(ctx: Context | None, services: Services) -> list[Path]:
    """MCP roots when the client declares any (``roots/list``), else ``--workspace`` (default: the server's cwd)."""
    if ctx is not None:
        with contextlib.suppress(Exception):  # a client without the roots capability answers with an error
            declared = roots_from_uris([str(root.uri) for root in await ctx.list_roots()])
            if declared:
                return declared
    return [services.settings.workspace]
