"""What was proven where: ``compatibility.json`` beside the patterns, written by ``st-patterns matrix --write``.

Each pattern has, per Streamlit release, whether every check passed and the first failing check otherwise; from it
come the pattern's proven range (``>=1.56,<=1.67``) and the answer for one user's release.

Example::

    compat = Compatibility.load()
    compat.answer("mount_fastapi", "1.58.1").status   # "proven"
"""

from __future__ import annotations

import json
from pathlib import Path

from packaging.version import Version
from pydantic import BaseModel, Field

from st_patterns.catalog.releases import RELEASES, covering, parse, pins_for
from st_patterns.models import VersionAnswer
from st_patterns.paths import patterns_dir

COMPAT_FILE = "compatibility.json"


class Cell(BaseModel):
    """One pattern on one release."""

    passed: bool
    checks: int = Field(ge=0)
    failed: int = Field(ge=0)
    first_failure: str | None = Field(default=None, description="'check name: actual' of the first red check.")
    seconds: float = 0.0
    applicable: bool = Field(
        default=True, description="False: the pattern needs a newer release (min_streamlit); not run, not a failure."
    )


class Compatibility(BaseModel):
    """The committed result of a matrix run: when, on which releases, with what outcome per pattern."""

    generated: str = Field(description="ISO date of the run.")
    python: str = Field(description="Python version the environments used.")
    versions: list[str] = Field(description="Streamlit releases in the run.")
    cells: dict[str, dict[str, Cell]] = Field(description="pattern id -> release -> outcome.")
    notes: dict[str, str] = Field(default_factory=dict, description="pattern id -> why older releases fail.")
    environments: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="release -> the key packages its environment resolved (starlette, ...)."
    )

    @classmethod
    def load(cls, path: Path | None = None) -> Compatibility | None:
        target = path or patterns_dir() / COMPAT_FILE
        try:
            return cls.model_validate(json.loads(target.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def write(self, path: Path | None = None) -> Path:
        target = path or patterns_dir() / COMPAT_FILE
        target.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")
        return target

    def proven(self, pattern_id: str) -> list[str]:
        return sorted((v for v, c in self.cells.get(pattern_id, {}).items() if c.passed), key=Version)

    def range(self, pattern_id: str) -> str | None:
        """The contiguous passing range ending at the newest tested release (``>=1.56,<=1.67``), or None."""
        cells = self.cells.get(pattern_id, {})
        tested = sorted(cells, key=Version)
        if not tested or not cells[tested[-1]].passed:
            return None
        low = tested[-1]
        for version in reversed(tested):
            if not cells[version].passed:
                break
            low = version
        return f">={_short(low)},<={_short(tested[-1])}"

    def answer(self, pattern_id: str, version: str) -> VersionAnswer:
        release = covering(version)
        if parse(version) < Version("1.53"):
            return VersionAnswer(
                version=version, status="no-st-app", range=self.range(pattern_id),
                detail="Streamlit releases before 1.53 have no st.App / streamlit.starlette.App: upgrade.",
            )  # fmt: skip
        pins = [req for req, _ in pins_for(release)] if release else []
        why = " ".join(reason for _, reason in pins_for(release)) if release else ""
        cell = self.cells.get(pattern_id, {}).get(release or "")
        if cell is None:
            newest = RELEASES[-1]
            return VersionAnswer(
                version=version, status="untested", release=release, range=self.range(pattern_id),
                detail=f"Not proven on {version}; proven range {self.range(pattern_id) or 'unknown'} "
                f"(newest verified release {newest}).",
            )  # fmt: skip
        if not cell.applicable:
            return VersionAnswer(
                version=version, status="needs-newer", release=release, range=self.range(pattern_id),
                detail=cell.first_failure or "Needs a newer Streamlit.",
            )  # fmt: skip
        proven = f"Proven on {release} ({cell.checks} checks)" + (f" with {', '.join(pins)}. {why}" if pins else ".")
        failing = f"Fails on {release}: {cell.first_failure}. {self.notes.get(pattern_id, '')}".strip()
        return VersionAnswer(
            version=version,
            status="proven" if cell.passed else "failing",
            release=release,
            range=self.range(pattern_id),
            pins=pins,
            detail=proven if cell.passed else failing,
        )


def _short(version: str) -> str:
    v = Version(version)
    return f"{v.major}.{v.minor}"
