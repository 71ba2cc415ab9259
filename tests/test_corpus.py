"""The checker on a corpus of projects in the shapes public st.App code takes (written here, nothing copied;
tests/corpus/README.md says which shape each reproduces): quiet on every correct one, and on each wrong one it
reports the mistake planted there, at its line, and nothing else at error level.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from st_patterns.checker.project_mode import check_folder

CORPUS = Path(__file__).resolve().parent / "corpus"
CORRECT = sorted(p for p in (CORPUS / "correct").iterdir() if p.is_dir())
WRONG = sorted(p for p in (CORPUS / "wrong").iterdir() if p.is_dir())


def _found(folder: Path) -> set[tuple[str, str, int, str]]:
    report = check_folder(folder)
    return {(r.filename, f.rule_id, f.line, f.severity) for r in report.files for f in r.findings}


@pytest.mark.parametrize("folder", CORRECT, ids=[p.name for p in CORRECT])
def test_correct_projects_get_no_error_and_no_warning(folder: Path) -> None:
    assert _found(folder) == set()


@pytest.mark.parametrize("folder", WRONG, ids=[p.name for p in WRONG])
def test_each_planted_mistake_is_found_at_its_line(folder: Path) -> None:
    expected = tomllib.loads((folder / "expected.toml").read_text())["finding"]
    found = _found(folder)
    for want in expected:
        assert any(f[:3] == (want["file"], want["rule"], want["line"]) for f in found), (want, found)
    wanted = {(w["file"], w["rule"], w["line"]) for w in expected}
    extra_errors = {f for f in found if f[:3] not in wanted and f[3] == "error"}
    assert not extra_errors


def test_the_corpus_is_big_enough_to_mean_something() -> None:
    assert len(CORRECT) >= 20 and len(WRONG) >= 15
    rules = {w["rule"] for p in WRONG for w in tomllib.loads((p / "expected.toml").read_text())["finding"]}
    assert len(rules) >= 15
