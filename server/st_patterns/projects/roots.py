"""Paths an agent names are confined: inside the MCP client's declared roots, else inside the server's workspace.

Over stdio the paths are the user's own; over HTTP the agent may sit on another machine, and nothing outside the
roots may be read (``check_app(path=...)`` included). Every refusal says which roots were allowed.

Example::

    folder = confine("shop/app.py", [Path("/work")])      # -> /work/shop/app.py, or InvalidInput
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from st_patterns.errors import InvalidInput

MAX_PATH_CHARS = 4096


def roots_from_uris(uris: Sequence[str]) -> list[Path]:
    """``file://`` URIs a client declared (MCP roots) as folders; other schemes are ignored."""
    found = []
    for uri in uris:
        parsed = urlparse(str(uri))
        if parsed.scheme == "file" and parsed.path:
            found.append(Path(unquote(parsed.path)).resolve())
    return found


def confine(path: str | Path, roots: Sequence[Path]) -> Path:
    """Resolve ``path`` (relative paths against the first root) and require it under one of ``roots``.

    Raises InvalidInput when it escapes them (``..``, symlinks, absolute paths elsewhere) or does not exist.
    """
    text = str(path)
    if not text or len(text) > MAX_PATH_CHARS or "\x00" in text:
        raise InvalidInput(f"Pass a path of 1 to {MAX_PATH_CHARS} characters.")
    if not roots:
        raise InvalidInput("No folder is open to this server: start it with --workspace DIR or declare MCP roots.")
    resolved_roots = [Path(r).resolve() for r in roots]
    candidate = Path(text).expanduser()
    if not candidate.is_absolute():
        candidate = resolved_roots[0] / candidate
    try:
        resolved = candidate.resolve()
        exists = resolved.exists()
    except OSError as exc:  # e.g. ENAMETOOLONG, which Path.exists() does not swallow
        raise InvalidInput(f"Cannot use {text[:200]!r}: {exc.strerror or exc}.") from exc
    allowed = ", ".join(str(r) for r in resolved_roots)
    if not any(resolved == r or resolved.is_relative_to(r) for r in resolved_roots):
        raise InvalidInput(
            f"{text[:200]!r} is outside the folders this server may read ({allowed}). Pass a path inside them, "
            "send the files themselves (files={...}), or restart the server with --workspace pointing at the project."
        )
    if not exists:
        raise InvalidInput(f"{text[:200]!r} does not exist (resolved to {resolved}).")
    return resolved
