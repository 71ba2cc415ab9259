"""Constant-time token comparison, shared by the MCP bearer check and the dashboard login."""

from __future__ import annotations

import hashlib
import hmac


def token_matches(expected: str, candidate: str | None) -> bool:
    """Compare digests, so neither the length nor a common prefix leaks through timing."""
    if not candidate:
        return False
    return hmac.compare_digest(hashlib.sha256(candidate.encode()).digest(), hashlib.sha256(expected.encode()).digest())
