"""The probe engine's sidecars and newer probe kinds, on a test-only catalog (tests/engine_catalog).

engine_probe exercises every feature against a real st.App and a real sidecar process (a file server rendering a
template); each feature is also shown failing where it should.
"""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil
import pytest
from pydantic import ValidationError

from st_patterns.catalog.contract import ProbeFile
from st_patterns.catalog.loader import Catalog
from st_patterns.errors import LaunchFailed
from st_patterns.proving.forms import first_form
from st_patterns.proving.sidecars import SidecarMissing, SidecarSet, missing_need

from conftest import st_patterns_cmd

ENGINE_CATALOG = Path(__file__).parent / "engine_catalog"


def _validate(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*st_patterns_cmd(), "validate", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "ST_PATTERNS_CATALOG": str(ENGINE_CATALOG), **(env or {})},
    )


def _checks(stdout: str, pattern_id: str) -> dict[str, dict[str, object]]:
    summary = json.loads(stdout)
    report = next(r for r in summary["reports"] if r["pattern_id"] == pattern_id)
    return {c["name"]: c for c in report["checks"]}


@pytest.mark.processes
def test_every_engine_feature_passes_on_a_real_app_and_sidecar(tmp_path: Path) -> None:
    junit = tmp_path / "v.xml"
    run = _validate("--json", "--junit", str(junit))
    summary = json.loads(run.stdout)
    engine = next(r for r in summary["reports"] if r["pattern_id"] == "engine_probe")
    assert engine["passed"], [c for c in engine["checks"] if not c["passed"]]
    kinds = {c["kind"] for c in engine["checks"]}
    assert kinds == {"http", "websocket", "log", "shutdown"}
    checks = {c["name"]: c for c in engine["checks"]}
    assert "exited in" in checks["Shutdown is quick and the lifespan's exit is logged"]["actual"]
    # the shutdown probe ran last, after the universal checks
    assert engine["checks"][-1]["kind"] == "shutdown"
    # a missing program skips its pattern, says why, and is not a pass
    skipped = next(r for r in summary["reports"] if r["pattern_id"] == "needs_missing")
    assert skipped["skipped"] == "needs st-patterns-no-such-program (not on PATH)" and not skipped["passed"]
    assert summary["skipped"] == ["needs_missing: needs st-patterns-no-such-program (not on PATH)"]
    assert summary["passed"] and run.returncode == 0
    suites = {s.get("name"): s for s in ET.parse(junit).getroot()}
    assert suites["needs_missing"].get("skipped") == "1"
    assert suites["needs_missing"].find("testcase/skipped") is not None


@pytest.mark.processes
def test_no_skip_turns_a_skipped_pattern_into_a_failure() -> None:
    run = _validate("needs_missing", "--no-skip")
    assert run.returncode == 1
    assert "SKIP needs_missing: needs st-patterns-no-such-program" in run.stdout
    assert "--no-skip: skipped needs_missing" in run.stderr


@pytest.mark.processes
def test_a_shutdown_that_hangs_fails_its_probe_and_the_app_is_still_stopped() -> None:
    # the lifespan sleeps 30 s on exit: the probe's 8 s deadline passes, the app is killed, nothing is left behind
    before = {p.pid for p in psutil.process_iter()}
    run = _validate("engine_probe", "--json", env={"ENGINE_SLOW_STOP": "30"})
    check = _checks(run.stdout, "engine_probe")["Shutdown is quick and the lifespan's exit is logged"]
    assert not check["passed"] and "killed" in str(check["actual"]), check
    assert run.returncode == 1
    leftovers = [
        p for p in psutil.process_iter(["pid", "cmdline"])
        if p.info["pid"] not in before and "http.server" in " ".join(p.info["cmdline"] or [])
    ]  # fmt: skip
    assert not leftovers, "the sidecar outlived the validation run"


def test_forms_are_read_as_a_browser_submits_them() -> None:
    html = """<form method="post"><input type="hidden" name="state" value="s1"><input name="sub" required>
    <input type="checkbox" name="remember" checked><input type="checkbox" name="nope">
    <select name="scope"><option value="a">A</option><option value="b" selected>B</option></select>
    <textarea name="note">hi</textarea><button type="submit" name="action" value="allow">OK</button>
    <button type="submit" name="action2" value="deny">No</button></form><form action="/other"></form>"""
    form = first_form(html, "http://127.0.0.1:9400/authorize?x=1")
    assert form is not None and form.method == "POST"
    assert form.action == "http://127.0.0.1:9400/authorize?x=1"  # no action: the page's own URL
    assert form.fields == {"state": "s1", "sub": "", "remember": "on", "scope": "b", "note": "hi", "action": "allow"}
    relative = first_form('<form action="../login" method="get"></form>', "http://127.0.0.1:1/a/b/c")
    assert relative is not None and relative.action == "http://127.0.0.1:1/a/login" and relative.method == "GET"
    assert first_form("<p>no form</p>", "http://127.0.0.1:1/") is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"probe": [{"name": "x", "target": "nope"}]}, "target 'nope' is not a sidecar"),
        ({"probe": [{"name": "x", "path": "/{{never}}"}]}, "{{never}} is captured by no earlier probe"),
        ({"probe": [{"name": "x"}], "sidecar": [{"name": "s", "command": ["x", "{{typo.port}}"]}]}, "unknown place"),
        ({"probe": [{"name": "x"}], "sidecar": [{"name": "s"}]}, "needs either command or docker"),
        ({"probe": [{"name": "x"}], "sidecar": [{"name": "S", "command": ["x"]}]}, "sidecar name must be"),
        ({"probe": [{"name": "x"}], "sidecar": [{"name": "s", "command": ["x"], "ready": "h"}]}, "ready must be"),
        ({"probe": [{"name": "x"}], "sidecar": [{"name": "s", "command": ["x"], "templates": ["../a"]}]}, "inside"),
        ({"probe": [{"name": "x", "capture": {"v": "("}}]}, "capture 'v'"),
        ({"probe": [{"name": "x", "repeat": 0}]}, "greater than or equal to 1"),
    ],
)
def test_probe_files_with_dangling_references_are_refused_at_load(data: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError, match=error.replace("{", r"\{").replace("}", r"\}")):
        ProbeFile.model_validate(data)


def test_a_capture_may_feed_a_later_probe_only() -> None:
    ok = {"probe": [{"name": "a", "capture": {"v": "x"}}, {"name": "b", "path": "/{{v}}"}]}
    assert ProbeFile.model_validate(ok).probe[1].path == "/{{v}}"
    late = {"probe": [{"name": "b", "path": "/{{v}}"}, {"name": "a", "capture": {"v": "x"}}]}
    with pytest.raises(ValidationError, match="captured by no earlier probe"):
        ProbeFile.model_validate(late)


def test_needs_are_checked_for_programs_modules_and_docker() -> None:
    assert missing_need("sh") is None
    assert missing_need("python:json") is None
    assert missing_need("python:st_patterns_no_such_module") == (
        "needs the Python module st_patterns_no_such_module (pip install st-patterns-no-such-module)"
    )
    assert missing_need("st-patterns-no-such-program") == "needs st-patterns-no-such-program (not on PATH)"


@pytest.mark.processes
def test_a_sidecar_that_dies_fails_the_boot_with_its_log_and_leaves_nothing(tmp_path: Path) -> None:
    catalog = Catalog.load(ENGINE_CATALOG)
    pattern = catalog.get("engine_probe")
    dying = pattern.sidecars[0].model_copy(
        update={"command": ["{{server_python}}", "-c", "import sys; print('sidecar broke here'); sys.exit(3)"]}
    )
    broken = type(pattern)(**{**pattern.__dict__, "sidecars": (dying,)})
    sidecars = SidecarSet(broken, tmp_path, app_port=1)
    with pytest.raises(LaunchFailed, match="exited before it was ready") as failure:
        sidecars.start()
    assert "sidecar broke here" in failure.value.log_tail
    missing = type(pattern)(**{**pattern.__dict__, "sidecars": (dying.model_copy(update={"needs": ["nope-x"]}),)})
    with pytest.raises(SidecarMissing, match="needs nope-x"):
        SidecarSet(missing, tmp_path, app_port=1).check_needs()


def test_a_launched_sidecar_pattern_says_its_proof_had_more_beside_it(catalog: Catalog) -> None:
    from st_patterns.instances.source import AppSource

    notes = AppSource.from_pattern(catalog.get("reverse_proxy_subpath")).notes
    assert len(notes) == 1 and "nginx" in notes[0] and "validate_pattern" in notes[0]
    assert AppSource.from_pattern(catalog.get("mount_fastapi")).notes == ()
