"""The folders an MCP call may read: the client's declared roots, else the server's workspace.

MCP deprecated the roots capability in its 2026-07-28 revision (SEP-2577, which also has no back-channel for
server requests), but clients on the 2025-11-25 revision still declare roots: those are asked once per call.
Everyone else gets the workspace.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import anyio
from fastmcp import Context

from st_patterns.projects.roots import roots_from_uris
from st_patterns.services import Services

ROOTS_TIMEOUT = 5.0


async def allowed_roots(ctx: Context | None, services: Services) -> list[Path]:
    """MCP roots when the client declares any (``roots/list``), else ``--workspace`` (default: the server's cwd)."""
    if ctx is not None:
        with contextlib.suppress(Exception):  # no session, no back-channel, or an error answer
            session = ctx.session
            capabilities = session.client_capabilities
            if capabilities is not None and capabilities.roots is not None and session.can_send_request:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the SDK marks roots/list deprecated
                    with anyio.fail_after(ROOTS_TIMEOUT):
                        listed = await session.list_roots()
                declared = roots_from_uris([str(root.uri) for root in listed.roots])
                if declared:
                    return declared
    return [services.settings.workspace]
