"""Patterns page: the catalog as a gallery by category, and one pattern in full (``?pattern=<id>``).

Test hooks: each card is ``st.container(key="pattern-<id>")``; its buttons are keyed ``open-<id>``,
``launch-<id>`` and ``validate-<id>``; the detail view is ``st-key-pattern-detail``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import streamlit as st

from . import common, instances_view, jobs
from .common import CATEGORY_COLOUR, category_badge

if TYPE_CHECKING:
    from st_patterns.catalog.loader import Pattern
    from st_patterns.models import ValidationReport
    from st_patterns.services import Services

CATEGORIES = {
    "skeleton": "Where Streamlit sits and what is mounted beside it.",
    "guard": "Middleware that protects the page, its assets and the websocket the UI runs on.",
    "bridge": "Shared resources, MCP and metadata routes joined to the Streamlit app.",
    "operations": "Running it for real: launchers, background work, tracing, proxies, workers, containers.",
}
LANGUAGES = {
    ".py": "python",
    ".toml": "toml",
    ".md": "markdown",
    ".html": "html",
    ".css": "css",
    ".js": "javascript",
    ".json": "json",
    ".xml": "xml",
    ".txt": None,
}
CARDS_PER_ROW = 3
QUERY_PARAM = "pattern"


def render() -> None:
    """The Patterns page: gallery, or one pattern when ``?pattern=<id>`` is set."""
    services = common.services()
    common.show_flash()
    chosen = st.query_params.get(QUERY_PARAM)
    if chosen and chosen in services.catalog.ids():
        _detail(services, services.catalog.get(chosen))
    else:
        _gallery(services)


def _open(pattern_id: str | None) -> None:
    if pattern_id is None:
        st.query_params.pop(QUERY_PARAM, None)
    else:
        st.query_params[QUERY_PARAM] = pattern_id


def _gallery(services: Services) -> None:
    catalog = services.catalog
    st.markdown("## :material/category: Patterns")
    st.caption(
        f"{len(catalog)} reference apps for combining Streamlit with Starlette and FastAPI through `st.App`. "
        "Each one boots and passes its own HTTP and websocket probes."
    )
    filter_col, search_col = st.columns([2, 3], vertical_alignment="bottom")
    with filter_col:
        category = st.pills("Category", list(CATEGORIES), key="pattern_category", format_func=str.capitalize)
    with search_col:
        query = st.text_input("Search", key="pattern_query", placeholder="e.g. auth websocket, fastapi, cookies")
    found: list[str] = []
    with common.shown_errors():
        found = [s.id for s in catalog.list(category=category, query=query or None)]
    if not found:
        st.info("No pattern matches. Clear the search or pick another category.", icon=":material/search_off:")
        return
    latest = services.validations.latest() if services.validations else {}
    for name, blurb in CATEGORIES.items():
        patterns = [catalog.get(pid) for pid in found if catalog.get(pid).meta.category == name]
        if not patterns:
            continue
        st.markdown(f"### {name.capitalize()} :{CATEGORY_COLOUR[name]}-badge[{len(patterns)}]")
        st.caption(blurb)
        for start in range(0, len(patterns), CARDS_PER_ROW):
            row = st.columns(CARDS_PER_ROW)
            for col, pattern in zip(row, patterns[start : start + CARDS_PER_ROW], strict=False):
                with col:
                    _card(services, pattern, latest.get(pattern.id))


def _validation_badge(report: ValidationReport | None) -> str:
    if report is None:
        return ":gray-badge[:material/help: not validated]"
    if report.skipped:
        return f":gray-badge[:material/block: skipped: {report.skipped}]"
    if report.error and not report.checks:
        return ":red-badge[:material/close: did not boot]"
    if report.passed:
        return f":green-badge[:material/check: {report.total}/{report.total} checks]"
    return f":red-badge[:material/close: {report.failed} of {report.total} failed]"


def _card(services: Services, pattern: Pattern, report: ValidationReport | None) -> None:
    meta = pattern.meta
    with st.container(border=True, key=f"pattern-{pattern.id}", height="stretch"):
        st.markdown(f"**{meta.title}**")
        st.markdown(f"{category_badge(meta.category)} {_validation_badge(report)}  \n:gray[`{pattern.id}`]")
        st.markdown(meta.summary)
        st.caption(f":material/thumb_up: **Use when** {meta.when_to_use[0]}")
        st.space("stretch")
        _actions(services, pattern, open_button=True)


def _actions(services: Services, pattern: Pattern, open_button: bool) -> None:
    pid = pattern.id
    with st.container(horizontal=True, gap="small"):
        if open_button:
            st.button("Details", key=f"open-{pid}", icon=":material/menu_book:", on_click=_open, args=(pid,))
        launch = st.button(
            "Launch", key=f"launch-{pid}", icon=":material/rocket_launch:", disabled=services.registry is None
        )
        validate = st.button(
            "Validate", key=f"validate-{pid}", icon=":material/fact_check:", disabled=jobs.RUNS.state.running
        )
    if launch and services.registry is not None:
        instances_view.launch(services.registry, pid)
    if validate:
        problem = jobs.RUNS.start(services, [pid])
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            st.info("Validation started.", icon=":material/hourglass_top:")
            st.page_link("page_validation.py", label="Follow it on the Validation page", icon=":material/fact_check:")


def _detail(services: Services, pattern: Pattern) -> None:
    meta = pattern.meta
    with st.container(key="pattern-detail"):
        st.button(
            "All patterns", key="back", icon=":material/arrow_back:", type="tertiary", on_click=_open, args=(None,)
        )
        st.markdown(f"## {meta.title}")
        report = services.validations.get(pattern.id) if services.validations else None
        st.markdown(f"{category_badge(meta.category)} {_validation_badge(report)} :gray[`{pattern.id}`]")
        st.markdown(meta.summary)
        _actions(services, pattern, open_button=False)
        overview, explanation, source = st.tabs(["Overview", "Explanation", f"Source ({len(pattern.files)} files)"])
        with overview:
            _overview(pattern)
        with explanation:
            _explanation(pattern)
        with source:
            _source(pattern)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) or "- –"


def _overview(pattern: Pattern) -> None:
    meta = pattern.meta
    use, avoid = st.columns(2, gap="large")
    use.markdown("#### :material/thumb_up: When to use\n" + _bullets(meta.when_to_use))
    avoid.markdown("#### :material/thumb_down: When not to use\n" + _bullets(meta.when_not_to_use))
    st.markdown("#### :material/terminal: Run it")
    st.code(meta.run, language="bash")
    if meta.requirements:
        st.markdown("**Requirements:** " + ", ".join(f"`{r}`" for r in meta.requirements))
    if meta.paths:
        st.markdown(
            "#### :material/route: Paths it adds\n" + "\n".join(f"- `{p.path}` — {p.description}" for p in meta.paths)
        )
    st.markdown("#### :material/warning: Pitfalls\n" + _bullets(meta.pitfalls))
    if meta.related:
        st.markdown("**Related:** " + ", ".join(f"`{r}`" for r in meta.related))


def _explanation(pattern: Pattern) -> None:
    exp = pattern.explanation
    for title, body in (
        ("Problem", exp.problem),
        ("How it works", exp.how_it_works),
        ("Key lines", exp.key_lines),
        ("What breaks", exp.what_breaks),
    ):
        st.markdown(f"#### {title}\n{body}")


def _source(pattern: Pattern) -> None:
    files = list(pattern.files)
    default = pattern.meta.entry if pattern.meta.entry in files else files[0]
    name = st.segmented_control("File", files, default=default, key=f"file-{pattern.id}", label_visibility="collapsed")
    name = name or default
    with common.shown_errors():
        text = pattern.read_file(name)
        st.code(text, language=LANGUAGES.get(PurePosixPath(name).suffix, None), line_numbers=True)
