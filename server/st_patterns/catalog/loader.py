"""Load pattern folders into records and answer questions about them.

Every folder under the catalog root is loaded the same way; the folder contract is in ``contract.py``.

Example::

    catalog = Catalog.load()
    catalog.ids()                      # ['core_lifespan_lifecycle', ...]
    catalog.get("mount_fastapi").meta.title
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from st_patterns.catalog import contract, guards
from st_patterns.catalog.compat import COMPAT_FILE, Compatibility
from st_patterns.catalog.pages import page_files
from st_patterns.catalog.releases import parse
from st_patterns.errors import InvalidInput, PatternInvalid, PatternNotFound
from st_patterns.models import Explanation, PatternDetail, PatternSummary, SourceFile
from st_patterns.paths import patterns_dir

T = TypeVar("T", bound=BaseModel)

_SOURCE_SUFFIXES = {
    ".py",
    ".toml",
    ".md",
    ".html",
    ".css",
    ".js",
    ".txt",
    ".json",
    ".xml",
    ".svg",
    ".webmanifest",
    ".conf",
}
_SOURCE_NAMES = {"Dockerfile", ".dockerignore"}
_MAX_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Pattern:
    """One loaded pattern folder."""

    meta: contract.PatternMeta
    folder: Path
    probes: tuple[contract.Probe, ...]
    explanation: Explanation
    sidecars: tuple[contract.Sidecar, ...] = ()
    files: tuple[str, ...] = field(default_factory=tuple)
    search_words: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def app_path(self) -> Path:
        return self.folder / self.meta.entry

    @property
    def code_files(self) -> tuple[str, ...]:
        """The reference app's own files: everything but the folder contract's metadata, probes and explanation."""
        contract_files = {contract.METADATA_FILE, contract.PROBES_FILE, contract.EXPLANATION_FILE}
        return tuple(name for name in self.files if name not in contract_files)

    def read_file(self, relative: str) -> str:
        """Text of one of the pattern's files; refuses anything outside the folder."""
        path = guards.resolve_inside(self.folder, relative)
        rel = path.relative_to(self.folder.resolve()).as_posix()
        if rel not in self.files:
            raise InvalidInput(f"{relative!r} is not a file of pattern {self.id!r}. Files: {', '.join(self.files)}")
        return path.read_text(encoding="utf-8")

    def summary(self) -> PatternSummary:
        m = self.meta
        return PatternSummary(id=m.id, title=m.title, category=m.category, summary=m.summary)

    def detail(self) -> PatternDetail:
        m = self.meta
        return PatternDetail(
            **self.summary().model_dump(),
            when_to_use=m.when_to_use,
            when_not_to_use=m.when_not_to_use,
            requirements=m.requirements,
            run=m.run,
            paths=[p.model_dump() for p in m.paths],
            related=m.related,
            pitfalls=m.pitfalls,
            base_path=m.base_path,
            files=[SourceFile(path=name, text=self.read_file(name)) for name in self.files],
        )


def parse_explanation(pattern_id: str, text: str) -> Explanation:
    """Split explanation.md into its required H2 sections."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    title = pattern_id
    for line in text.splitlines():
        if line.startswith("# ") and current is None:
            title = line[2:].strip()
        elif line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    missing = [name for name in contract.EXPLANATION_SECTIONS if name not in sections]
    if missing:
        raise PatternInvalid(pattern_id, f"explanation.md lacks sections: {', '.join(missing)}")
    body = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    return Explanation(
        pattern_id=pattern_id,
        title=title,
        problem=body["Problem"],
        how_it_works=body["How it works"],
        key_lines=body["Key lines"],
        what_breaks=body["What breaks"],
        markdown=text,
    )


def load_pattern(folder: Path) -> Pattern:
    """Load and validate one folder; raises PatternInvalid naming the broken part."""
    name = folder.name
    try:
        meta = contract.PatternMeta.model_validate(tomllib.loads((folder / contract.METADATA_FILE).read_text("utf-8")))
        probes = contract.ProbeFile.model_validate(tomllib.loads((folder / contract.PROBES_FILE).read_text("utf-8")))
        explanation_text = (folder / contract.EXPLANATION_FILE).read_text("utf-8")
    except FileNotFoundError as exc:
        raise PatternInvalid(name, f"missing file {Path(exc.filename).name}") from exc
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise PatternInvalid(name, str(exc)) from exc
    if meta.id != name:
        raise PatternInvalid(name, f"metadata id {meta.id!r} differs from the folder name")
    for required in (meta.entry, meta.ui):
        if not (folder / required).is_file():
            raise PatternInvalid(name, f"missing file {required}")
    files = tuple(
        sorted(
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file()
            and (p.suffix in _SOURCE_SUFFIXES or p.name in _SOURCE_NAMES)
            and "__pycache__" not in p.parts
            and p.stat().st_size <= _MAX_FILE_BYTES
        )
    )
    for sidecar in probes.sidecar:
        missing = [name for name in sidecar.templates if not (folder / name).is_file()]
        if sidecar.docker is not None and not (folder / sidecar.docker.dockerfile).is_file():
            missing.append(sidecar.docker.dockerfile)
        if missing:
            raise PatternInvalid(name, f"sidecar {sidecar.name!r}: missing file {missing[0]}")
    return Pattern(
        meta=meta,
        folder=folder.resolve(),
        probes=tuple(probes.probe),
        sidecars=tuple(probes.sidecar),
        explanation=parse_explanation(name, explanation_text),
        files=files,
        search_words=_search_words(meta),
    )


class Catalog:
    """All patterns under one root, loaded once.

    Example::

        catalog = Catalog.load()
        [s.id for s in catalog.list(category="guard")]
    """

    def __init__(self, patterns: dict[str, Pattern], compat: Compatibility | None = None) -> None:
        self._patterns = dict(sorted(patterns.items()))
        self._details: dict[str, PatternDetail] = {}
        self.compat = compat  # what the version matrix proved (None: no compatibility.json)

    @classmethod
    def load(cls, root: Path | None = None) -> Catalog:
        root = root or patterns_dir()
        folders = [p for p in sorted(root.iterdir()) if p.is_dir() and (p / contract.METADATA_FILE).exists()]
        return cls({folder.name: load_pattern(folder) for folder in folders}, Compatibility.load(root / COMPAT_FILE))

    def _versioned(self, model: T, pattern_id: str, streamlit_version: str | None) -> T:
        """``model`` with the pattern's proven range, and the answer for ``streamlit_version`` when asked."""
        if self.compat is None:
            return model
        update: dict[str, object] = {"streamlit": self.compat.range(pattern_id)}
        if streamlit_version is not None:
            update["on_version"] = self.compat.answer(pattern_id, streamlit_version)
        return model.model_copy(update=update)

    def detail(
        self,
        pattern_id: str,
        streamlit_version: str | None = None,
        *,
        include: Sequence[str] = (),
        max_bytes: int | None = None,
        offset: int = 0,
    ) -> PatternDetail:
        """The pattern's metadata and its code files (read from disk once: pattern files do not change while the
        server runs), with the proven Streamlit range and, for ``streamlit_version``, how it stands there.

        ``include`` adds other files by name (``explanation.md``, ``pattern.toml``, ``probes.toml``; ``all``: every
        file); ``max_bytes`` cuts the files' text there and ``offset`` continues from a previous ``next_offset``.
        """
        pattern = self.get(pattern_id)
        if pattern.id not in self._details:
            self._details[pattern.id] = pattern.detail()
        full = self._details[pattern.id]
        unknown = [name for name in include if name != "all" and name not in pattern.files]
        if unknown:
            raise InvalidInput(f"{unknown[0]!r} is not a file of {pattern.id!r}. Files: {', '.join(pattern.files)}.")
        wanted = set(pattern.files) if "all" in include else {*pattern.code_files, *include}
        texts = [(f.path, f.text) for f in full.files if f.path in wanted]
        files, next_offset, total = page_files(texts, max_bytes=max_bytes, offset=offset)
        paged = full.model_copy(
            update={
                "files": files,
                "other_files": [name for name in pattern.files if name not in wanted],
                "next_offset": next_offset,
                "total_bytes": total,
            }
        )
        return self._versioned(paged, pattern.id, _checked(streamlit_version))

    def preloads(self) -> set[str]:
        """Every module some pattern asks a launcher to import ahead of time."""
        return {name for pattern in self for name in pattern.meta.preload}

    def ids(self) -> list[str]:
        return list(self._patterns)

    def get(self, pattern_id: str) -> Pattern:
        guards.check_pattern_id(pattern_id)
        try:
            return self._patterns[pattern_id]
        except KeyError:
            raise PatternNotFound(pattern_id, self.ids()) from None

    def __iter__(self) -> Iterator[Pattern]:
        return iter(self._patterns.values())

    def __len__(self) -> int:
        return len(self._patterns)

    def list(
        self, category: str | None = None, query: str | None = None, streamlit_version: str | None = None
    ) -> list[PatternSummary]:
        """Summaries filtered by category and by words that must all appear in the pattern's text, each with its
        proven Streamlit range (and how it stands on ``streamlit_version``)."""
        words = _words(guards.check_text(query or "", "query"))
        version = _checked(streamlit_version)
        out = []
        for pattern in self:
            if category and pattern.meta.category != category:
                continue
            if words and not words <= pattern.search_words:
                continue
            out.append(self._versioned(pattern.summary(), pattern.id, version))
        return out


def _checked(version: str | None) -> str | None:
    """A Streamlit version as asked, validated (InvalidInput for '1.x' or 'latest')."""
    if version is None:
        return None
    parse(guards.check_text(version, "streamlit_version"))
    return version.strip()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


def _search_words(m: contract.PatternMeta) -> frozenset[str]:
    text = " ".join([m.id.replace("_", " "), m.title, m.summary, *m.when_to_use, *m.tags, *m.requirements, m.category])
    return frozenset(_words(text))
