"""The server token: constant-time comparison, shared by the MCP bearer check and the dashboard login."""

from __future__ import annotations

import hashlib
import hmac

from fastmcp.server.auth.providers.debug import DebugTokenVerifier


def token_matches(expected: str, candidate: str | None) -> bool:
    """Compare digests, so neither the length nor a common prefix leaks through timing."""
    if not candidate:
        return False
    return hmac.compare_digest(hashlib.sha256(candidate.encode()).digest(), hashlib.sha256(expected.encode()).digest())


def bearer_verifier(token: str) -> DebugTokenVerifier:
    """FastMCP auth for /mcp: ``Authorization: Bearer <token>`` checked with :func:`token_matches`."""
    return DebugTokenVerifier(validate=lambda candidate: token_matches(token, candidate), client_id="st-patterns")
