"""Which Streamlit a project runs on, read from the files that decide it: a lock file (``uv.lock``,
``poetry.lock``: the exact release), else ``requirements*.txt``, else ``pyproject.toml`` (a pin or a range).

The answer is the matrix releases the project allows, so version-specific advice (``st.App`` needs 1.57) can
say "your requirement allows 1.55". Nothing is installed or imported; files are parsed.

Example::

    target = detect(Path("/work/shop"))   # StreamlitTarget(spec="==1.58.1", releases=["1.58.0"], source="uv.lock")
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

from st_patterns.catalog.releases import RELEASES, covering, satisfying
from st_patterns.errors import InvalidInput

LOCK_FILES = ("uv.lock", "poetry.lock")
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class StreamlitTarget:
    spec: str  # "==1.58.1", ">=1.55,<1.60", or "" (any)
    releases: list[str]  # matrix releases the spec allows (oldest first)
    source: str  # the file it came from ("--streamlit" when given)
    line: int = 1  # where in that file
    starlette: str | None = None  # the Starlette requirement or locked version beside it, if any
    starlette_line: int | None = field(default=None)

    @property
    def oldest(self) -> Version | None:
        return Version(self.releases[0]) if self.releases else None


def given(version: str) -> StreamlitTarget:
    """``--streamlit 1.58`` / ``streamlit_version="1.58.1"``: exactly that release."""
    release = covering(version)
    if release is None:
        raise InvalidInput(
            f"Streamlit {version[:20]} has no st.App (it exists from 1.53 on) or is newer than the newest verified "
            f"release {RELEASES[-1]}."
        )
    return StreamlitTarget(spec=f"=={version}", releases=[release], source="--streamlit")


def detect(folder: Path) -> StreamlitTarget | None:
    """The project's Streamlit, from the first file at ``folder`` that names it (None: no file does)."""
    names = [*LOCK_FILES, *sorted(p.name for p in folder.glob("requirements*.txt")), "pyproject.toml"]
    return detect_in({name: text for name in names if (text := _read(folder / name)) is not None})


def detect_in(files: Mapping[str, str]) -> StreamlitTarget | None:
    """The same, from file texts by name (files sent over MCP): lock files first, then requirements, then
    pyproject.toml."""
    wanted = (n for n in files if n.startswith("requirements") and n.endswith(".txt") and "/" not in n)
    order = [*LOCK_FILES, *sorted(wanted)]
    for name in [*order, "pyproject.toml"]:
        text = files.get(name)
        if text is None:
            continue
        if name in LOCK_FILES:
            found = _from_lock(name, text)
        elif name == "pyproject.toml":
            found = _from_pyproject(name, text)
        else:
            found = _from_requirements(name, text)
        if found is not None:
            return found
    return None


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _toml(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _from_lock(name: str, text: str) -> StreamlitTarget | None:
    data = _toml(text)
    if data is None:
        return None
    versions = {p.get("name", "").lower(): p.get("version") for p in data.get("package", []) if isinstance(p, dict)}
    version = versions.get("streamlit")
    if not isinstance(version, str):
        return None
    release = covering(version)
    starlette = versions.get("starlette")
    return StreamlitTarget(
        spec=f"=={version}",
        releases=[release] if release else [],
        source=name,
        line=_line_of(text, 'name = "streamlit"'),
        starlette=f"=={starlette}" if isinstance(starlette, str) else None,
        starlette_line=_line_of(text, 'name = "starlette"') if isinstance(starlette, str) else None,
    )


def _requirement(line: str) -> Requirement | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith(("-", "git+", "http")):
        return None
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _target(requirements: list[tuple[Requirement, int]], source: str) -> StreamlitTarget | None:
    streamlit = next(((r, n) for r, n in requirements if r.name.lower() == "streamlit"), None)
    if streamlit is None:
        return None
    starlette = next(((r, n) for r, n in requirements if r.name.lower() == "starlette"), None)
    spec = str(streamlit[0].specifier)
    return StreamlitTarget(
        spec=spec,
        releases=satisfying(spec) if spec else list(RELEASES),
        source=source,
        line=streamlit[1],
        starlette=str(starlette[0].specifier) if starlette else None,
        starlette_line=starlette[1] if starlette else None,
    )


def _from_requirements(name: str, text: str) -> StreamlitTarget | None:
    found = [(r, n) for n, line in enumerate(text.splitlines(), 1) if (r := _requirement(line)) is not None]
    return _target(found, name)


def _from_pyproject(name: str, text: str) -> StreamlitTarget | None:
    data = _toml(text)
    if data is None:
        return None
    entries: list[str] = list(data.get("project", {}).get("dependencies", []) or [])
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    for package, value in poetry.items() if isinstance(poetry, dict) else []:
        if isinstance(value, str) and package.lower() in ("streamlit", "starlette"):
            entries.append(f"{package}{_poetry_spec(value)}")
    found = []
    for entry in entries:
        requirement = _requirement(entry) if isinstance(entry, str) else None
        if requirement is not None:
            found.append((requirement, _line_of(text, requirement.name)))
    return _target(found, name)


def _poetry_spec(value: str) -> str:
    """Poetry's ``^1.58`` / ``~1.58`` / ``1.58.1`` as a PEP 440 specifier."""
    value = value.strip()
    match = re.match(r"^([\^~])(\d+)\.(\d+)", value)
    if match:
        major, minor_ = int(match.group(2)), int(match.group(3))
        upper = f"{major + 1}.0" if match.group(1) == "^" else f"{major}.{minor_ + 1}"
        return f">={value[1:]},<{upper}"
    if re.match(r"^\d", value):
        return f"=={value}"
    return value if value != "*" else ""
