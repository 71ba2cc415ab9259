"""Version-aware checking: the project's Streamlit read from uv.lock / poetry.lock / requirements / pyproject.toml
(or given), and the rules that depend on it (st.App before 1.57, App.run before 1.59, a mount without the
lifespan before 1.56, Streamlit 1.53-1.60 without starlette<1.4).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from fastmcp import Client

from st_patterns.checker.project_mode import check_folder
from st_patterns.cli.main import main
from st_patterns.projects.streamlit_version import detect, given

from conftest import ServerProcess

ST_APP = """
    from pathlib import Path

    import streamlit as st

    app = st.App(Path(__file__).resolve().parent / "ui.py")

    if __name__ == "__main__":
        app.run()
"""
MOUNTED = """
    from pathlib import Path

    from fastapi import FastAPI
    from streamlit.starlette import App

    ui = App(Path(__file__).resolve().parent / "ui.py")
    app = FastAPI()
    app.mount("/dashboard", ui)
"""
UV_LOCK = """
    version = 1

    [[package]]
    name = "starlette"
    version = "1.10.0"

    [[package]]
    name = "streamlit"
    version = "1.58.1"
"""


POETRY_LOCK = '[[package]]\nname = "streamlit"\nversion = "1.60.0"\n'
PEP_621 = '[project]\nname = "x"\ndependencies = ["streamlit>=1.55,<1.57"]\n'
POETRY = '[tool.poetry.dependencies]\nstreamlit = "^1.62"\n'
LATEST_4 = ["1.64.0", "1.65.0", "1.66.1", "1.67.0"]


def _project(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


def _found(folder: Path) -> set[tuple[str, str, str]]:
    report = check_folder(folder)
    return {(r.filename, f.rule_id, f.severity) for r in report.files for f in r.findings}


@pytest.mark.parametrize(
    ("files", "spec", "releases", "source"),
    [
        ({"uv.lock": UV_LOCK}, "==1.58.1", ["1.58.0"], "uv.lock"),
        (
            {"poetry.lock": '[[package]]\nname = "streamlit"\nversion = "1.60.0"\n'},
            "==1.60.0",
            ["1.60.0"],
            "poetry.lock",
        ),
        (
            {"requirements.txt": "fastapi\nstreamlit[charts]>=1.64  # ui\n"},
            ">=1.64",
            ["1.64.0", "1.65.0", "1.66.1", "1.67.0"],
            "requirements.txt",
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["streamlit>=1.55,<1.57"]\n'},
            "<1.57,>=1.55",
            ["1.55.0", "1.56.0"],
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\nstreamlit = "^1.62"\n'},
            "<2.0,>=1.62",
            ["1.62.0", "1.63.0", "1.64.0", "1.65.0", "1.66.1", "1.67.0"],
            "pyproject.toml",
        ),
    ],
)
def test_the_streamlit_a_project_runs_is_read_from_its_files(
    tmp_path: Path, files: dict[str, str], spec: str, releases: list[str], source: str
) -> None:
    target = detect(_project(tmp_path / "p", files))
    assert target is not None
    assert (target.spec, target.releases, target.source) == (spec, releases, source)


def test_lock_files_win_and_nothing_means_unknown(tmp_path: Path) -> None:
    both = _project(tmp_path / "both", {"uv.lock": UV_LOCK, "requirements.txt": "streamlit>=1.53\n"})
    assert detect(both).source == "uv.lock"  # type: ignore[union-attr]
    assert detect(_project(tmp_path / "none", {"requirements.txt": "fastapi\n"})) is None


def test_st_app_and_app_run_are_errors_only_where_the_release_lacks_them(tmp_path: Path) -> None:
    old = _project(tmp_path / "old", {"app.py": ST_APP, "requirements.txt": "streamlit==1.56.0\nstarlette<1.4\n"})
    found = _found(old)
    assert ("app.py", "api-newer-than-streamlit", "error") in found
    messages = [
        f.message for r in check_folder(old).files for f in r.findings if f.rule_id == "api-newer-than-streamlit"
    ]
    assert any("st.App` exists from Streamlit 1.57" in m for m in messages)
    assert any("App.run()` exists from Streamlit 1.59" in m for m in messages)
    middle = _project(tmp_path / "middle", {"app.py": ST_APP, "requirements.txt": "streamlit==1.58.0\nstarlette<1.4\n"})
    assert [m for r in check_folder(middle).files for f in r.findings for m in [f.message] if "App.run" in m]
    assert not [m for r in check_folder(middle).files for f in r.findings for m in [f.message] if "st.App` exists" in m]
    new = _project(tmp_path / "new", {"app.py": ST_APP, "requirements.txt": "streamlit>=1.62\n"})
    assert _found(new) == set()


KWARGS_APP = """
    from pathlib import Path

    from streamlit.starlette import App

    app = App(Path(__file__).resolve().parent / "ui.py", secrets={"api": {"key": "k"}}, on_script_error=print)
"""


@pytest.mark.parametrize(
    ("release", "named"),
    [("1.56.0", {"secrets", "on_script_error"}), ("1.57.0", {"on_script_error"}), ("1.58.0", set())],
)
def test_app_keyword_arguments_are_errors_before_the_release_that_added_them(
    tmp_path: Path, release: str, named: set[str]
) -> None:
    project = _project(
        tmp_path / "p", {"app.py": KWARGS_APP, "requirements.txt": f"streamlit=={release}\nstarlette<1.4\n"}
    )
    messages = [
        f.message for r in check_folder(project).files for f in r.findings if f.rule_id == "api-newer-than-streamlit"
    ]
    assert {m.split("`App(")[1].split("=")[0] for m in messages} == named, messages


def test_a_mount_without_lifespan_is_an_error_before_1_56(tmp_path: Path) -> None:
    before = _project(tmp_path / "b", {"main.py": MOUNTED, "requirements.txt": "streamlit==1.55.0\nstarlette<1.4\n"})
    after = _project(tmp_path / "a", {"main.py": MOUNTED, "requirements.txt": "streamlit==1.62.0\n"})
    assert ("main.py", "missing-streamlit-lifespan", "error") in _found(before)
    assert ("main.py", "missing-streamlit-lifespan", "warning") in _found(after)


def test_streamlit_1_53_to_1_60_needs_starlette_below_1_4(tmp_path: Path) -> None:
    loose = _project(tmp_path / "loose", {"app.py": MOUNTED, "requirements.txt": "fastapi\nstreamlit==1.58.0\n"})
    assert ("requirements.txt", "starlette-unpinned-for-streamlit", "warning") in _found(loose)
    finding = next(f for r in check_folder(loose).files for f in r.findings if f.rule_id.startswith("starlette"))
    assert finding.line == 2
    capped = _project(tmp_path / "capped", {"requirements.txt": "streamlit==1.58.0\nstarlette>=1.0,<1.4\n"})
    assert _found(capped) == set()
    locked = _project(tmp_path / "locked", {"uv.lock": UV_LOCK})
    assert ("uv.lock", "starlette-unpinned-for-streamlit", "error") in _found(locked)
    ranged = _project(tmp_path / "ranged", {"requirements.txt": "streamlit>=1.61\n"})
    assert _found(ranged) == set()


def test_the_cli_and_mcp_take_the_release_outright(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], server: ServerProcess
) -> None:
    project = _project(tmp_path / "p", {"app.py": ST_APP})
    assert main(["check", str(project), "--json"]) == 0  # no requirement known: no version rule
    capsys.readouterr()
    assert main(["check", str(project), "--json", "--streamlit", "1.56"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["rule_id"] for r in data["files"] for f in r["findings"]} == {"api-newer-than-streamlit"}
    assert main(["check", str(project), "--streamlit", "1.40"]) == 2
    with pytest.raises(Exception, match=r"no st\.App"):
        given("1.40")
    import anyio

    async def over_mcp() -> dict[str, object]:
        async with Client(server.mcp_url) as client:
            result = await client.call_tool(
                "check_app", {"source": textwrap.dedent(ST_APP), "streamlit_version": "1.55"}
            )
            return result.structured_content  # type: ignore[return-value]

    report = anyio.run(over_mcp)
    assert {f["rule_id"] for f in report["findings"]} >= {"api-newer-than-streamlit"}  # type: ignore[index]
