"""Named input guards shared by every face: ids, paths, ports, sizes.

Each raises :class:`~st_patterns.errors.InvalidInput` with a message that says what to send instead.
"""

from __future__ import annotations

from pathlib import Path

from st_patterns.catalog.contract import PATTERN_ID_RE
from st_patterns.errors import InvalidInput

MIN_PORT = 1024
MAX_PORT = 65535
MAX_SOURCE_BYTES = 256 * 1024
MAX_TEXT_CHARS = 2000


def check_pattern_id(value: str) -> str:
    """Refuse anything that is not shaped like a pattern id (this also rules out path traversal)."""
    if not isinstance(value, str) or not PATTERN_ID_RE.match(value):
        shown = repr(value)[:80]
        raise InvalidInput(
            f"Invalid pattern id {shown}: ids are 2-64 lowercase letters, digits or underscores, "
            "starting with a letter (call list_patterns to see them)."
        )
    return value


def check_port(port: int) -> int:
    if not isinstance(port, int) or isinstance(port, bool) or not MIN_PORT <= port <= MAX_PORT:
        raise InvalidInput(f"Port {port!r} is out of range: use {MIN_PORT}-{MAX_PORT}, or omit it for a free port.")
    return port


def check_text(value: str, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(value) > limit:
        raise InvalidInput(f"{what} is {len(value)} characters; the limit is {limit}. Send a shorter one.")
    return value


def resolve_inside(root: Path, relative: str) -> Path:
    """Resolve ``relative`` under ``root`` and refuse anything (``..``, absolute, symlink) that escapes it."""
    if "\x00" in relative:
        raise InvalidInput("Path contains a NUL byte.")
    candidate = Path(relative)
    if candidate.is_absolute():
        raise InvalidInput(f"Path {relative!r} must be relative to the pattern folder.")
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise InvalidInput(f"Path {relative!r} escapes the pattern folder.")
    return resolved
