"""``st-patterns check`` with a linter's conventions: folders and files, text/json/sarif/github output, ignore
comments, --select/--ignore/--fail-on, ``[tool.st-patterns]`` in pyproject.toml, exit codes 0/1/2, and the
pre-commit hook definition.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from st_patterns.checker import RULES
from st_patterns.cli.main import main

from conftest import st_patterns_cmd

REPO = Path(__file__).resolve().parent.parent
GUARD = """
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import PlainTextResponse


    class LoginRequired(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            if request.cookies.get("session") == "ok":
                return await call_next(request)
            return PlainTextResponse("login required", status_code=401)
"""
APP = """
    import time
    from pathlib import Path

    from starlette.middleware import Middleware
    from starlette.routing import Route
    from streamlit.starlette import App

    from auth import LoginRequired


    async def slow(request):
        time.sleep(1)


    app = App(Path(__file__).with_name("ui.py"), middleware=[Middleware(LoginRequired)], routes=[Route("/s", slow)])
"""


def _project(folder: Path, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"auth.py": GUARD, "app.py": APP, **extra}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_folder_in_text_with_paths_lines_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path / "shop")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "shop")
    assert code == 1
    assert "shop/auth.py:5:1: error [ws-unguarded-middleware]" in out
    assert "shop/app.py:12:5: warning [blocking-call-in-async-handler]" in out
    assert "2 files checked: 1 errors, 1 warnings" in err
    code, out, _ = _run(capsys, "shop", "--fail-on", "warning", "--select", "blocking-call-in-async-handler")
    assert code == 1 and "ws-unguarded" not in out
    code, out, _ = _run(capsys, "shop", "--ignore", "ws-unguarded-middleware")
    assert code == 0 and "blocking-call" in out  # a warning alone does not fail by default


def test_sarif_is_a_2_1_0_log_with_rules_and_located_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "shop")
    out_file = tmp_path / "results.sarif"
    code, _, _ = _run(capsys, str(project), "--format", "sarif", "--output", str(out_file))
    assert code == 1
    log = json.loads(out_file.read_text())
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    results = {r["ruleId"]: r for r in run["results"]}
    guard = results["ws-unguarded-middleware"]
    assert rules[guard["ruleIndex"]]["id"] == "ws-unguarded-middleware" and guard["level"] == "error"
    location = guard["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("shop/auth.py")
    assert location["region"] == {"startLine": 5, "startColumn": 1}
    assert results["blocking-call-in-async-handler"]["level"] == "warning"


def test_github_annotations_escape_what_workflow_commands_need(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path / "shop")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "shop", "--format", "github")
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 2
    assert lines[0].startswith(
        "::warning file=shop/app.py,line=12,col=5,title=st-patterns blocking-call-in-async-handler::"
    )
    assert lines[1].startswith("::error file=shop/auth.py,line=5,col=1,title=st-patterns ws-unguarded-middleware::")
    assert all("\n" not in line for line in lines)


def test_ignore_comments_silence_one_rule_or_all_on_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "shop")
    auth = project / "auth.py"
    auth.write_text(
        auth.read_text().replace(
            "class LoginRequired(BaseHTTPMiddleware):",
            "class LoginRequired(BaseHTTPMiddleware):  # st-patterns: ignore[ws-unguarded-middleware]",
        )
    )
    app = project / "app.py"
    app.write_text(app.read_text().replace("time.sleep(1)", "time.sleep(1)  # st-patterns: ignore[some-other-rule]"))
    code, out, _ = _run(capsys, str(project), "--json")
    data = json.loads(out)
    assert code == 0 and data["suppressed"] == 1
    assert [f["rule_id"] for r in data["files"] for f in r["findings"]] == ["blocking-call-in-async-handler"]
    app.write_text(app.read_text().replace("# st-patterns: ignore[some-other-rule]", "# st-patterns: ignore"))
    code, out, _ = _run(capsys, str(project), "--json")
    assert json.loads(out)["suppressed"] == 2 and json.loads(out)["files"][0]["findings"] == []


def test_pyproject_settings_and_their_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "shop", **{"legacy/old.py": "import uvicorn\nuvicorn.run('x:app')\n"})
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[tool.st-patterns]\nignore = ["ws-unguarded-middleware"]\nexclude = ["legacy/*"]\nfail-on = "warning"\n'
    )
    code, out, _ = _run(capsys, str(project), "--json")
    data = json.loads(out)
    assert code == 1 and data["fail_on"] == "warning"  # the warning now fails
    rules = {f["rule_id"] for r in data["files"] for f in r["findings"]}
    assert rules == {"blocking-call-in-async-handler"}  # guard ignored, legacy/ excluded
    code, _, _ = _run(capsys, str(project), "--fail-on", "error")  # flags win over the file
    assert code == 0
    pyproject.write_text('[tool.st-patterns]\nignore = ["no-such-rule"]\n')
    code, _, err = _run(capsys, str(project))
    assert code == 2 and "no-such-rule" in err and "ws-unguarded-middleware" in err
    pyproject.write_text('[tool.st-patterns]\nfail_when = "always"\n')
    code, _, err = _run(capsys, str(project))
    assert code == 2 and "fail_when" in err


def test_exit_2_when_the_check_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(tmp_path / "missing"))
    assert code == 2 and err.startswith("error:") and "does not exist" in err
    (tmp_path / "notes.txt").write_text("hi")
    code, _, err = _run(capsys, str(tmp_path / "notes.txt"))
    assert code == 2 and "not a .py file" in err
    code, _, err = _run(capsys, "--select", "nope", str(tmp_path))
    assert code == 2 and "Unknown rule id" in err


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == [r.id for r in RULES] and len(listed) >= 30


def test_the_pre_commit_hook_runs_the_installed_command_on_staged_files(tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "st-patterns-check")
    assert hook["language"] == "python" and hook["types"] == ["python"]
    project = _project(tmp_path / "shop")
    entry = hook["entry"].split()
    assert entry[0] == "st-patterns"
    # pre-commit appends the staged file names to the entry; run it that way with the installed command
    done = subprocess.run(
        [*st_patterns_cmd(), *entry[1:], "app.py", "auth.py"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert "auth.py:5:1: error [ws-unguarded-middleware]" in done.stdout
