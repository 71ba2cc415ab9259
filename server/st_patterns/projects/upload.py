"""Files an agent sends over MCP (``files={"app.py": "...", "ui.py": "..."}``) become a private project folder.

The folder is named by the content's hash under the server's state directory, so sending the same files twice
reuses it. Names must be plain relative paths; count and sizes are bounded.

Example::

    folder = materialize({"app.py": source, "ui.py": ui}, state_dir / "projects")
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from st_patterns.errors import InvalidInput

MAX_FILES = 64
MAX_FILE_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024
NAME_RE = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.\-/]{1,200}$")


def check_files(files: Mapping[str, str]) -> None:
    if not files:
        raise InvalidInput("files is empty: send at least the module that defines your app.")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"Send at most {MAX_FILES} files, not {len(files)}.")
    total = 0
    for name, text in files.items():
        if not isinstance(name, str) or not NAME_RE.match(name) or "//" in name:
            raise InvalidInput(f"{str(name)[:100]!r} is not a plain relative file name (letters, digits, _ . - /).")
        if not isinstance(text, str):
            raise InvalidInput(f"The content of {name!r} must be text.")
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise InvalidInput(f"{name!r} is {size} bytes; each file may have at most {MAX_FILE_BYTES}.")
        total += size
    if total > MAX_TOTAL_BYTES:
        raise InvalidInput(f"The files add up to {total} bytes; at most {MAX_TOTAL_BYTES} in all.")


def materialize(files: Mapping[str, str], root: Path) -> Path:
    """Write ``files`` into ``root/<hash>`` (created private) and return that folder."""
    check_files(files)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode("utf-8") + b"\0")
    folder = root / digest.hexdigest()[:16]
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder
