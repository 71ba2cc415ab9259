"""Write probes as ``probes.toml`` (the folder contract's format), so users keep them in their own repository.

Only fields that differ from their defaults are written; reading the text back gives the same probes.

Example::

    text = dump_probes(probes, comments=["Suggested by st-patterns from app.py"])
    ProbeFile.model_validate(tomllib.loads(text)).probe == probes
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path

from st_patterns.catalog.contract import Probe, ProbeFile
from st_patterns.errors import InvalidInput

MAX_PROBES_BYTES = 256 * 1024


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_probes(probes: Sequence[Probe], comments: Sequence[str] = ()) -> str:
    lines = [f"# {line}" if line else "#" for line in comments]
    defaults = Probe(name="x", path="/")
    for probe in probes:
        lines += ["", "[[probe]]"]
        for field in Probe.model_fields:
            value = getattr(probe, field)
            if field in ("name", "path") or value != getattr(defaults, field):
                lines.append(f"{field} = {_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def load_probes(path: Path) -> list[Probe]:
    """Read a ``probes.toml``; raises InvalidInput naming what is wrong with it."""
    try:
        data = path.read_bytes()
        if len(data) > MAX_PROBES_BYTES:
            raise InvalidInput(f"{path} is larger than {MAX_PROBES_BYTES // 1024} KiB.")
        return list(ProbeFile.model_validate(tomllib.loads(data.decode("utf-8"))).probe)
    except InvalidInput:
        raise
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise InvalidInput(f"Cannot read probes from {path}: {str(exc)[:800]}") from exc
