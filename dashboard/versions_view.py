"""Versions page: every pattern on every Streamlit release with st.App, as proven by the version matrix.

The committed result (``patterns/compatibility.json``) is the table; a ``run_matrix`` run on this server shows
beside it. Test hook: ``st-key-version-matrix`` (one ``<tr data-pattern="<id>">`` per pattern, one cell per
release with ``data-release``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import streamlit as st

from . import common
from .validation_view import STYLE

if TYPE_CHECKING:
    from st_patterns.catalog.compat import Cell


def render() -> None:
    """The Versions page."""
    from st_patterns.catalog.releases import PINS

    services = common.services()
    st.markdown("## :material/history: Streamlit versions")
    st.caption(
        "Each pattern booted on the latest patch of every Streamlit minor release with `st.App` (one cached "
        "environment per release, built with uv) and put through its probes and the universal checks."
    )
    compat = services.catalog.compat
    if compat is None:
        st.info("No compatibility.json: run `st-patterns matrix --all-releases --write`.", icon=":material/info:")
    else:
        st.markdown(
            f"Proven **{compat.generated}** on Python {compat.python}: {len(compat.cells)} patterns x "
            f"{len(compat.versions)} releases."
        )
        _table("version-matrix", list(compat.cells), compat.versions, compat.cells)
        for spec, requirement, why in PINS:
            st.caption(f"Releases {spec}: environments pin `{requirement}`. {why}")
    latest = services.last_matrix
    if latest is not None:
        st.markdown(f"#### Latest run on this server ({latest.seconds:.0f} s)")
        _table("version-matrix-latest", latest.patterns, latest.versions, latest.cells)


def _table(key: str, patterns: list[str], versions: list[str], cells: dict[str, dict[str, Cell]]) -> None:
    head = "".join(f"<th>{html.escape(v.rsplit('.', 1)[0])}</th>" for v in versions)
    rows = []
    for pattern_id in patterns:
        tds = []
        for version in versions:
            cell = cells.get(pattern_id, {}).get(version)
            if cell is None:
                kind, mark, tip = "stp-none", "·", "not run"
            elif cell.passed:
                kind, mark, tip = "stp-pass", "✓", f"{cell.checks} checks passed"
            elif not cell.applicable:
                kind, mark, tip = "stp-none", "–", cell.first_failure or "needs a newer Streamlit"
            else:
                kind, mark, tip = "stp-fail", "✗", cell.first_failure or "failed"
            tds.append(
                f'<td class="c" data-release="{html.escape(version)}" title="{html.escape(tip)}">'
                f'<span class="stp-cell {kind}">{mark}</span></td>'
            )
        rows.append(f'<tr data-pattern="{html.escape(pattern_id)}"><td><code>{html.escape(pattern_id)}</code></td>'
                    + "".join(tds) + "</tr>")  # fmt: skip
    with st.container(key=key):
        st.html(STYLE + f'<table class="stp-matrix"><tr><th>pattern</th>{head}</tr>{"".join(rows)}</table>')
    red = [
        (p, v, c.first_failure)
        for p in patterns
        for v in versions
        if (c := cells.get(p, {}).get(v)) is not None and not c.passed and c.applicable
    ]
    for pattern_id, version, failure in red:
        st.error(f"`{pattern_id}` on {version}: {failure}", icon=":material/error:")
