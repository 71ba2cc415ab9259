"""The probe runner itself: it must fail probes whose expectations are wrong, not only pass good ones."""

from __future__ import annotations

import asyncio

import pytest

from st_patterns.catalog.contract import Probe
from st_patterns.catalog.loader import Catalog
from st_patterns.proving.probes import run_probes
from st_patterns.proving.websocket_probe import RERUN_SCRIPT, script_finished_code, shown_exception

from serving import serve_pattern


def test_rerun_message_matches_streamlits_encoding() -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.SetInParent()
    assert msg.SerializeToString() == RERUN_SCRIPT


def test_script_finished_is_decoded_from_real_forward_messages() -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished = ForwardMsg(script_finished=ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
    finished.metadata.delta_path.extend([0, 1])
    assert script_finished_code(finished.SerializeToString()) == ForwardMsg.FINISHED_WITH_COMPILE_ERROR
    assert script_finished_code(ForwardMsg(script_finished=0).SerializeToString()) == 0
    other = ForwardMsg()
    other.new_session.name = "x"
    assert script_finished_code(other.SerializeToString()) is None
    assert script_finished_code(b"\xff\xff") is None


def test_exceptions_shown_on_the_page_are_decoded_from_real_forward_messages() -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    raised = ForwardMsg()
    raised.delta.new_element.exception.type = "KeyError"
    raised.delta.new_element.exception.message = "'model'"
    raised.delta.new_element.exception.stack_trace.extend(["line 3"])
    assert shown_exception(raised.SerializeToString()) == "KeyError: 'model'"
    warning = ForwardMsg()
    warning.delta.new_element.exception.type = "DeprecationWarning"
    warning.delta.new_element.exception.is_warning = True
    assert shown_exception(warning.SerializeToString()) is None
    text = ForwardMsg()
    text.delta.new_element.markdown.body = "KeyError is just a word here"
    assert shown_exception(text.SerializeToString()) is None
    assert shown_exception(b"\x2a\xff") is None


@pytest.mark.processes
def test_wrong_expectations_fail_with_the_actual_answer(catalog: Catalog, tmp_path) -> None:
    pattern = catalog.get("mount_fastapi")
    wrong = [
        Probe(name="status", path="/api/hello", expect_status=404),
        Probe(name="header", path="/api/hello", expect_headers={"content-type": "text/html"}),
        Probe(name="body", path="/api/hello", expect_body_contains=["goodbye"]),
        Probe(name="absent", path="/api/hello", expect_body_not_contains=["hello"]),
        Probe(name="ws refused", kind="websocket", path="/_stcore/stream", expect_ws="refused"),
        Probe(name="ws nowhere", kind="websocket", path="/api/hello", expect_ws="runs"),
        Probe(name="marker", kind="websocket", path="/_stcore/stream", expect_ws="runs"),
    ]
    with serve_pattern(pattern, tmp_path) as base:
        results = asyncio.run(run_probes(base, wrong[:-1], marker=pattern.meta.ui_marker))
        marker_result = asyncio.run(run_probes(base, wrong[-1:], marker="text the script never writes"))
    by_name = {r.name: r for r in results + marker_result}
    assert not any(r.passed for r in by_name.values())
    assert "status 200" in by_name["status"].actual
    assert "application/json" in by_name["header"].actual
    assert "ran" in by_name["ws refused"].actual
    assert "never wrote" in by_name["marker"].actual


@pytest.mark.processes
def test_jars_carry_cookies_between_probes(catalog: Catalog, tmp_path) -> None:
    pattern = catalog.get("middleware_auth")
    with serve_pattern(pattern, tmp_path) as base:
        without_login = asyncio.run(
            run_probes(base, [p for p in pattern.probes if p.jar is None], marker=pattern.meta.ui_marker)
        )
    assert all(r.passed for r in without_login), [r for r in without_login if not r.passed]


@pytest.mark.processes
def test_one_script_run_answers_every_probe_asking_for_the_same_run(catalog: Catalog, tmp_path) -> None:
    pattern = catalog.get("mount_fastapi")
    same = [
        Probe(name="first", kind="websocket", path="/_stcore/stream", expect_ws="runs"),
        Probe(name="again", kind="websocket", path="/_stcore/stream"),
        Probe(name="from elsewhere", kind="websocket", path="/_stcore/stream", source_ip="127.0.0.2"),
        Probe(name="refused?", kind="websocket", path="/_stcore/stream", expect_ws="refused"),
    ]
    runs: dict = {}
    with serve_pattern(pattern, tmp_path) as base:
        results = asyncio.run(run_probes(base, same, marker=pattern.meta.ui_marker, runs=runs))
    first, again, elsewhere, refused = results
    assert first.passed and again.passed and again.seconds == 0.0 and "the same run as 'first'" in again.actual
    assert elsewhere.seconds > 0 and "same run" not in elsewhere.actual  # another source address: its own run
    assert not refused.passed and refused.seconds > 0  # expects something else: its own run, and it fails
    assert len(runs) == 3
