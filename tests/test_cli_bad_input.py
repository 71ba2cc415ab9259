"""Bad ids and arguments on the command line: exit 1 with one ``error: ...`` line (or argparse's 2), never a traceback.

Commands run in-process through ``st_patterns.cli.main.main`` (a subprocess costs ~0.5-1.5 s per call); instance
commands talk to a port where nothing listens, except for a few calls against the session's real server.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from st_patterns.catalog.loader import Catalog
from st_patterns.cli.main import main

from conftest import ServerProcess

IDS = Catalog.load().ids()
SCALE = float(os.environ.get("ST_PATTERNS_FUZZ_SCALE", "1"))  # e.g. 10 for a long hunt
CLI = settings(
    max_examples=int(40 * SCALE),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ARGPARSE_ERROR = re.compile(r"^st-patterns(?: [\w-]+)?: error: .+")
MAX_ERROR_CHARS = 1000  # beyond any argument the message quotes back

# Real argv holds any character but NUL; on Linux undecodable bytes arrive as U+DC80-U+DCFF (surrogateescape), and
# no other lone surrogate can occur there.
argv_char = st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), st.integers(0xDC80, 0xDCFF).map(chr))
argv_text = st.text(argv_char, max_size=40)
nasty = st.sampled_from(
    [
        "",
        " ",
        "..",
        "../../etc/passwd",
        "/etc/passwd",
        "mount_fastapi/../x",
        "MOUNT_FASTAPI",
        "mount-fastapi",
        "mount_fastapi ",
        "\udcff",
        "🙂" * 20,
        "$(id)",
        "a" * 65,
        "a" * 5000,
        "\n",
        "x\ny",
    ]
)
words = st.one_of(argv_text, nasty)
bad_ids = words.filter(lambda s: s not in IDS and s != "all")


def run_cli(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    """``main(argv)`` -> (exit code, stdout, stderr); an exception escaping main fails the test as a traceback."""
    # A real process writes undecodable argv bytes back out (surrogateescape / backslashreplace); capsys is strict.
    sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:
        out, err = capsys.readouterr()
        pytest.fail(f"st-patterns {' '.join(argv)[:200]!r} raised {type(exc).__name__}: {exc} (a traceback)")
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_failure(code: int, err: str, argv: Sequence[str], *, one_line: bool = True) -> None:
    shown = " ".join(argv)[:200]
    assert "Traceback (most recent call last)" not in err, f"st-patterns {shown!r} printed a traceback"
    lines = err.strip().splitlines()
    assert lines, f"st-patterns {shown!r} failed silently (exit {code})"
    if code == 2 and not lines[0].startswith("error: "):
        assert ARGPARSE_ERROR.match(lines[-1]), f"st-patterns {shown!r}: unexpected argparse output {err!r}"
        return
    # 1: the command failed; 2 with an `error:` line: `check` could not run (its documented usage error)
    assert code == 1 or (code == 2 and argv[0] == "check"), f"st-patterns {shown!r} exited {code}: {err[:300]!r}"
    assert lines[0].startswith("error: "), f"st-patterns {shown!r}: {err[:300]!r}"
    echo = 6 * max((len(a) for a in argv), default=0)  # the message may quote an argument (repr: \\udcff is 6)
    assert len(err) <= MAX_ERROR_CHARS + echo, f"st-patterns {shown!r}: {len(err)}-char error"
    if one_line:
        assert len(lines) == 1, f"st-patterns {shown!r}: error is {len(lines)} lines: {err[:500]!r}"


@pytest.fixture
def dead_server() -> str:
    """An MCP URL on a loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mcp"


# -- catalog commands ------------------------------------------------------------------------------------------
@CLI
@given(command=st.sampled_from(["show", "explain"]), pattern_id=bad_ids, as_json=st.booleans())
def test_show_and_explain_refuse_bad_ids(
    capsys: pytest.CaptureFixture[str], command: str, pattern_id: str, as_json: bool
) -> None:
    argv = [command, *(["--json"] if as_json else []), "--", pattern_id]
    code, out, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)
    assert out == ""


@CLI
@given(pattern_id=st.sampled_from(IDS), file=words)
def test_show_file_refuses_paths_outside_the_pattern(
    capsys: pytest.CaptureFixture[str], pattern_id: str, file: str
) -> None:
    argv = ["show", pattern_id, "--file", file]
    code, out, err = run_cli(capsys, argv)
    if code == 0:  # an empty --file shows the metadata; a file of the pattern (even as ./app.py) prints it
        pattern = Catalog.load().get(pattern_id)
        assert file == "" or (pattern.folder / file).resolve().relative_to(pattern.folder.resolve()).as_posix() in (
            pattern.files
        )
        return
    assert_clean_failure(code, err, argv)
    assert "root:" not in out + err, "a file outside the pattern folder leaked"


@CLI
@given(category=st.one_of(words, st.sampled_from(["guard", "skeleton", "bridge"])), query=words)
def test_list_filters_never_crash(capsys: pytest.CaptureFixture[str], category: str, query: str) -> None:
    argv = ["list", f"--category={category}", f"--query={query}"]
    code, _, err = run_cli(capsys, argv)
    if code != 0:
        assert_clean_failure(code, err, argv)


@CLI
@given(need=st.lists(words, min_size=1, max_size=3), limit=st.one_of(st.integers(1, 20), words))
def test_recommend_refuses_bad_needs_and_limits(capsys: pytest.CaptureFixture[str], need: list[str], limit) -> None:
    argv = ["recommend", f"--limit={limit}", "--", *need]
    code, _, err = run_cli(capsys, argv)
    if code != 0:
        assert_clean_failure(code, err, argv)


@pytest.mark.parametrize("limit", ["0", "-5", "21"])
def test_recommend_refuses_out_of_range_limit(capsys: pytest.CaptureFixture[str], limit: str) -> None:
    argv = ["recommend", "--limit", limit, "password", "login"]
    code, _, _ = run_cli(capsys, argv)
    assert code in (1, 2)


# -- local commands that take files or ids ---------------------------------------------------------------------
paths = st.one_of(
    words,
    words.map(lambda s: s + ".py"),
    st.sampled_from(["/etc/passwd", "/", "/tmp", "/dev/null", "/nonexistent/app.py", "/proc/self/status", ".py"]),
)


@CLI
@given(path=paths, as_json=st.booleans())
def test_check_refuses_missing_and_foreign_files(capsys: pytest.CaptureFixture[str], path: str, as_json: bool) -> None:
    argv = ["check", *(["--json"] if as_json else []), "--", path]
    code, out, err = run_cli(capsys, argv)
    if path.strip() and os.path.isdir(path) and os.path.realpath(path) != "/":
        # a folder is a project now: checked, with a verdict (0 clean, 1 findings), never a traceback
        assert code in (0, 1) and "Traceback" not in err and (out or err)
        return
    assert_clean_failure(code, err, argv)


def test_check_overlong_path_is_an_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a component over NAME_MAX made Path.is_file() raise OSError (a traceback)."""
    argv = ["check", "a" * 300 + ".py"]
    code, _, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)
    assert "too long" in err


def test_check_error_quotes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: the path was quoted with str(), so a newline in it forged a second `error:` line."""
    argv = ["check", "--", "evil\nerror: forged.txt"]
    code, _, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)


@settings(CLI, max_examples=int(15 * SCALE))
@given(ids=st.lists(bad_ids, min_size=1, max_size=3))
def test_validate_refuses_bad_ids_before_booting(capsys: pytest.CaptureFixture[str], ids: list[str]) -> None:
    argv = ["validate", "--no-fork", "--", *ids]  # "--": an id such as "--all" must stay an id
    code, out, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)
    assert "PASS" not in out and "FAIL" not in out, "a pattern was booted"


@pytest.mark.parametrize(
    "argv",
    [
        ["nope"],
        ["show"],
        ["recommend"],
        ["recommend", "--limit", "many", "x"],
        ["logs", "x", "--tail", "lots"],
        ["launch", "mount_fastapi", "--port", "http"],
        ["serve", "--port", "eighty"],
        ["serve", "--log-level", "loud"],
        ["list", "--category", "nope"],
    ],
)
def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run_cli(capsys, argv)
    assert code == 2
    assert_clean_failure(code, err, argv)


def test_serve_refuses_public_bind_without_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ST_PATTERNS_TOKEN", raising=False)
    argv = ["serve", "--host", "0.0.0.0", "--port", "1"]
    code, _, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)
    assert "token" in err


# -- instance commands (MCP clients of a server) ---------------------------------------------------------------
INSTANCE_COMMANDS = ["instance", "logs", "stop", "restart", "launch"]


@settings(CLI, max_examples=int(20 * SCALE))
@given(command=st.sampled_from(INSTANCE_COMMANDS), target=words)
def test_instance_commands_without_a_server(
    capsys: pytest.CaptureFixture[str], dead_server: str, command: str, target: str
) -> None:
    argv = [command, "--server", dead_server, "--", target]
    code, _, err = run_cli(capsys, argv)
    assert_clean_failure(code, err, argv)
    assert "Cannot reach" in err or code == 2


@pytest.mark.processes
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["instance", "nope-1"], "Unknown instance id"),
        (["logs", "nope-1", "--tail", "5"], "Unknown instance id"),
        (["stop", "../../x"], "Unknown instance id"),
        (["restart", " "], "Unknown instance id"),
        (["launch", "nope_nope"], "Valid ids"),
        (["launch", "../x", "--port", "99999"], "Invalid pattern id"),
        (["launch", "mount_fastapi", "--port", "80"], "out of range"),
    ],
)
def test_instance_commands_against_a_real_server(
    capsys: pytest.CaptureFixture[str], server: ServerProcess, argv: list[str], expected: str
) -> None:
    full = [*argv, "--server", server.mcp_url]
    code, _, err = run_cli(capsys, full)
    assert_clean_failure(code, err, full)
    assert expected in err


@pytest.mark.processes
@pytest.mark.parametrize("argv", [["logs", "nope-1", "--tail", "0"], ["instance", ""], ["stop", "x" * 150]])
def test_remote_validation_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], server: ServerProcess, argv: list[str]
) -> None:
    """Regression: pydantic's 4-line reports were printed as-is; now folded to one line without the doc URL."""
    full = [*argv, "--server", server.mcp_url]
    code, _, err = run_cli(capsys, full)
    assert_clean_failure(code, err, full)
    assert "errors.pydantic.dev" not in err
