"""Validation page: the latest report of every pattern as a matrix of checks, run-all, and per-check detail.

Test hooks: ``st-key-validate-all`` (run-all button), ``st-key-validation-matrix`` (the matrix, one
``<tr data-pattern="<id>">`` per pattern), ``st-key-report-<id>`` (a pattern's check list).
"""

from __future__ import annotations

import html
import time
from datetime import datetime
from typing import TYPE_CHECKING

import streamlit as st

from . import common, jobs

if TYPE_CHECKING:
    from st_patterns.models import CheckResult, ValidationReport
    from st_patterns.services import Services

UNIVERSAL_COLUMNS = {  # universal check name (prefix) -> column title
    "page HTML is served": "page",
    "health endpoint answers": "health",
    "websocket runs the script": "websocket",
    "unknown page path still reaches Streamlit": "unknown path",
}
SHADOW_SUFFIX = "is not shadowed by Streamlit's catch-all"
STYLE = """
<style>
.stp-matrix {border-collapse: collapse; width: 100%; font-size: 0.86rem;}
.stp-matrix th {text-align: left; font-weight: 600; color: #555; padding: 6px 8px; border-bottom: 2px solid #e6e6e6;
  white-space: nowrap;}
.stp-matrix td {padding: 5px 8px; border-bottom: 1px solid #f0f0f0; vertical-align: middle;}
.stp-matrix td.c {text-align: center;}
.stp-cell {display: inline-block; min-width: 1.6rem; padding: 1px 6px; border-radius: 6px; font-weight: 600;
  text-align: center;}
.stp-pass {background: #dcf5e3; color: #177a3a;}
.stp-fail {background: #fde1e1; color: #b42318;}
.stp-none {background: #f1f1f3; color: #8a8a93;}
.stp-chip {display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin: 1px;}
.stp-chip.stp-pass {background: #3cb96b;} .stp-chip.stp-fail {background: #e5484d;}
.stp-checks td {font-size: 0.82rem;}
.stp-checks code {font-size: 0.78rem; white-space: pre-wrap; word-break: break-word;}
</style>
"""


def render() -> None:
    """The Validation page."""
    services = common.services()
    st.markdown("## :material/fact_check: Validation")
    st.caption(
        "Each pattern's reference app is booted in its own process and must pass its own probes (positive and "
        "negative, HTTP and websocket) and the checks every `st.App` must pass."
    )
    if services.validations is None:
        st.warning("This server keeps no validation results.", icon=":material/info:")
        return
    _controls(services)
    running = jobs.RUNS.state.running
    st.fragment(_results, run_every=1 if running else None)(services, running)


def _controls(services: Services) -> None:
    available = jobs.validator_entry() is not None
    running = jobs.RUNS.state.running
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        run_all = st.button(
            "Run all",
            key="validate-all",
            type="primary",
            icon=":material/play_arrow:",
            disabled=running or not available,
        )
        picked = st.multiselect(
            "Patterns",
            services.catalog.ids(),
            key="validate_pick",
            placeholder="Pick patterns",
            label_visibility="collapsed",
            width=420,
        )
        run_some = st.button(
            "Validate selected",
            key="validate-selected",
            icon=":material/fact_check:",
            disabled=running or not available or not picked,
        )
    if not available:
        st.info(
            "Validation is not available on this server (st_patterns.services.validate_patterns is missing).",
            icon=":material/info:",
        )
    ids = services.catalog.ids() if run_all else list(picked) if run_some else []
    if ids:
        problem = jobs.RUNS.start(services, ids)
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            st.rerun()  # the results fragment now ticks until the run ends


def _results(services: Services, was_running: bool) -> None:
    state = jobs.RUNS.state
    if was_running and not state.running:
        st.rerun(scope="app")  # run ended: stop ticking and re-enable the buttons
    assert services.validations is not None
    latest = services.validations.latest()
    _run_status(state, latest)
    if not latest:
        with st.container(border=True, key="validation-empty"):
            st.markdown("#### :material/science: No validation results yet")
            agent = 'ask your agent to call `validate_pattern(pattern_id="all")`'
            if jobs.validator_entry() is not None:
                st.markdown(f"Press **Run all** to boot every reference app and check it, or {agent}.")
            else:
                st.markdown(f"To boot every reference app and check it, {agent}.")
        return
    passed = sum(r.passed for r in latest.values())
    checks = sum(r.total for r in latest.values())
    failed_checks = sum(r.failed for r in latest.values())
    cols = st.columns(4)
    cols[0].metric("Patterns passing", f"{passed} / {len(latest)}")
    cols[1].metric("Checks", checks)
    cols[2].metric("Failed checks", failed_checks)
    skipped = sum(r.skipped is not None for r in latest.values())
    cols[3].metric("Not validated", len(services.catalog) - len(latest) + skipped, help="Includes skipped patterns.")
    with st.container(key="validation-matrix"):
        st.html(STYLE + _matrix_html(services.catalog.ids(), latest))
    st.markdown("#### Per-check detail")
    for report in latest.values():
        _report(report)


def _run_status(state: jobs.RunState, latest: dict[str, ValidationReport]) -> None:
    if state.started is None:
        return
    if state.running:
        done = sum(1 for pid in state.ids if pid in latest and _iso_after(latest[pid].started_at, state.started))
        st.progress(
            done / max(1, len(state.ids)),
            text=f"Validating {len(state.ids)} pattern(s)… {done} done, {time.time() - state.started:.0f} s",
        )
    elif state.error:
        st.error(state.error, icon=":material/error:")
    elif state.finished is not None:
        verdict = "all passed" if state.passed else "some checks failed"
        st.caption(
            f"Last run from here: {len(state.ids)} pattern(s), {verdict}, {state.finished - state.started:.1f} s."
        )


def _iso_after(iso: str, started: float) -> bool:
    try:
        return datetime.fromisoformat(iso).timestamp() >= int(started)
    except ValueError:
        return False


def _when(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M:%S} UTC"
    except ValueError:
        return iso


def _cell(ok: bool | None, text: str, title: str) -> str:
    kind = "none" if ok is None else "pass" if ok else "fail"
    return f'<span class="stp-cell stp-{kind}" title="{html.escape(title)}">{html.escape(text)}</span>'


def _universal(report: ValidationReport) -> list[str]:
    universal = [c for c in report.checks if c.group == "universal"]
    cells = []
    for name in UNIVERSAL_COLUMNS:
        check = next((c for c in universal if c.name == name), None)
        if check is None:
            cells.append(_cell(None, "–", f"{name}: not run"))
        else:
            cells.append(_cell(check.passed, "✓" if check.passed else "✗", _tip(check)))
    shadow = [c for c in universal if c.name.endswith(SHADOW_SUFFIX)]
    if shadow:
        ok = all(c.passed for c in shadow)
        tip = "\n".join(f"{'✓' if c.passed else '✗'} {c.name}" for c in shadow)
        cells.append(_cell(ok, f"{sum(c.passed for c in shadow)}/{len(shadow)}", tip))
    else:
        cells.append(_cell(None, "–", "the pattern adds no routes to check"))
    return cells


def _tip(check: CheckResult) -> str:
    mark = "passed" if check.passed else "FAILED"
    return f"{check.name}: {mark}\nexpected: {check.expected}\nactual: {check.actual}\n{check.seconds:.2f} s"


def _matrix_html(ids: list[str], latest: dict[str, ValidationReport]) -> str:
    heads = ["pattern", "result", "checks", "own probes", *UNIVERSAL_COLUMNS.values(), "routes", "boot", "time"]
    rows = []
    for pid in ids:
        report = latest.get(pid)
        name = f"<td><code>{html.escape(pid)}</code></td>"
        if report is None:
            blank = "".join('<td class="c">' + _cell(None, "–", "not validated yet") + "</td>" for _ in heads[1:])
            rows.append(f'<tr data-pattern="{pid}">{name}{blank}</tr>')
            continue
        if report.error and not report.checks:
            result = _cell(False, "error", report.error)
        else:
            result = _cell(report.passed, "pass" if report.passed else "fail", f"{report.failed} failed")
        own = [c for c in report.checks if c.group == "pattern"]
        chips = (
            "".join(
                f'<span class="stp-chip stp-{"pass" if c.passed else "fail"}" title="{html.escape(_tip(c))}"></span>'
                for c in own
            )
            or '<span class="stp-cell stp-none">–</span>'
        )
        counts = f"{report.total - report.failed}/{report.total}" if report.total else "–"
        boot = "–" if report.boot_seconds is None else f"{report.boot_seconds:.1f} s"
        count_ok = (report.failed == 0) if report.total else None
        cells = [result, _cell(count_ok, counts, f"{report.failed} failed"), chips, *_universal(report)]
        tds = "".join(f'<td class="c">{c}</td>' if i != 2 else f"<td>{c}</td>" for i, c in enumerate(cells))
        tds += f'<td class="c">{boot}</td><td class="c">{report.seconds:.1f} s</td>'
        rows.append(f'<tr data-pattern="{pid}">{name}{tds}</tr>')
    head = "".join(f"<th>{h}</th>" for h in heads)
    return f'<table class="stp-matrix"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _report(report: ValidationReport) -> None:
    icon = ":material/check_circle:" if report.passed else ":material/cancel:"
    verdict = ":green[**pass**]" if report.passed else ":red[**fail**]"
    label = (
        f"{verdict} **{report.pattern_id}** — {report.total - report.failed}/{report.total} checks passed · "
        f"{report.seconds:.1f} s · {_when(report.started_at)}"
    )
    with st.expander(label, icon=icon, expanded=not report.passed), st.container(key=f"report-{report.pattern_id}"):
        if report.error:
            st.error(report.error, icon=":material/error:")
        if report.checks:
            st.html(STYLE + _checks_html(report.checks))


def _checks_html(checks: list[CheckResult]) -> str:
    rows = []
    for c in checks:
        kind = f"{c.kind}{' · negative' if c.negative else ''}"
        rows.append(
            f'<tr><td class="c">{_cell(c.passed, "✓" if c.passed else "✗", "passed" if c.passed else "failed")}</td>'
            f"<td>{html.escape(c.name)}</td><td>{c.group}</td><td>{kind}</td>"
            f"<td><code>{html.escape(c.expected)}</code></td><td><code>{html.escape(c.actual)}</code></td>"
            f'<td class="c">{c.seconds * 1000:.0f} ms</td></tr>'
        )
    head = "".join(f"<th>{h}</th>" for h in ("", "check", "group", "kind", "expected", "actual", "time"))
    return f'<table class="stp-matrix stp-checks"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
