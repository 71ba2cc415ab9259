"""A pattern's files within a byte budget, continued exactly where the last answer stopped.

The files are read as one stream (in their listed order, UTF-8): ``offset`` is a byte position in it and
``next_offset`` the position to ask for next, so an agent with a small context gets every byte once. A cut never
splits a character.

Example::

    files, next_offset, total = page_files([("app.py", text), ("ui.py", ui)], max_bytes=4000)
    files[-1].complete, next_offset            # False, 4000: ask again with offset=4000
"""

from __future__ import annotations

from collections.abc import Sequence

from st_patterns.errors import InvalidInput
from st_patterns.models import SourceFile

MIN_BYTES = 256


def _boundary(data: bytes, index: int) -> int:
    """``index``, moved back to the start of the UTF-8 character it falls in (clamped to the data)."""
    index = max(0, min(index, len(data)))
    while 0 < index < len(data) and (data[index] & 0xC0) == 0x80:
        index -= 1
    return index


def page_files(
    files: Sequence[tuple[str, str]], *, max_bytes: int | None = None, offset: int = 0
) -> tuple[list[SourceFile], int | None, int]:
    """``(files of this page, next offset or None when done, total bytes of the stream)``."""
    if max_bytes is not None and max_bytes < MIN_BYTES:
        raise InvalidInput(f"max_bytes must be at least {MIN_BYTES}, not {max_bytes}.")
    encoded = [(path, text.encode("utf-8")) for path, text in files]
    total = sum(len(data) for _, data in encoded)
    if offset < 0 or offset > total:
        raise InvalidInput(f"offset must be between 0 and {total} (the files' total bytes), not {offset}.")
    budget = max_bytes if max_bytes is not None else total
    out: list[SourceFile] = []
    position = 0
    for path, data in encoded:
        end = position + len(data)
        if end <= offset:
            position = end
            continue
        start = _boundary(data, offset - position)
        stop = _boundary(data, start + budget)
        if stop == start and out:
            return out, position + start, total
        piece = data[start:stop]
        complete = start == 0 and stop == len(data)
        out.append(SourceFile(path=path, text=piece.decode("utf-8"), start=start, complete=complete))
        budget -= stop - start
        if stop < len(data):
            return out, position + stop, total
        position = end
    return out, None, total
