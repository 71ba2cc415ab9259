"""Instances page: launch a pattern, and a live table of every instance with stop / restart / logs.

The table is a fragment that reruns every second on its own (only while a tab shows it). Each tick reads
``registry.list()`` (cheap) and reuses the shared sampler's CPU/RSS/health for a couple of seconds.

Test hooks: each row is ``st.container(key="instance-<id>")`` (CSS class ``st-key-instance-<id>``), its buttons
are keyed ``stop-<id>``, ``restart-<id>`` and ``logs-<id>`` (ended rows: ``logs-<id>``, ``forget-<id>``); the live
table is ``st-key-instances``, the selected instance's panel ``st-key-selected-instance``, its chart
``st-key-usage-chart``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from st_patterns.errors import StPatternsError

from . import common
from .common import ACTIVE, SAMPLER, fmt_duration, fmt_number, health_text, sandbox_badge, sandbox_text, status_badge

if TYPE_CHECKING:
    from st_patterns.catalog.loader import Catalog
    from st_patterns.instances.models import Instance, InstanceDetail
    from st_patterns.instances.registry import Registry

REFRESH_SECONDS = 1
LOG_TAIL = 200
SELECTED_KEY = "selected_instance"
HEALTH_LINE = "/_stcore/health HTTP/"
# Pattern | Status | URL | Port | PID | Uptime | CPU | RSS | Health | Actions
COLUMNS = [2.3, 1.0, 2.0, 0.8, 0.8, 0.9, 0.8, 0.9, 0.9, 3.3]
HEADERS = ["Pattern", "Status", "URL", "Port", "PID", "Uptime", "CPU", "RSS", "Health", ""]


def render() -> None:
    """The Instances page."""
    services = common.services()
    st.markdown("## :material/dns: Instances")
    st.caption("Reference apps launched by an agent over MCP or from here. The table refreshes every second.")
    reg = services.registry
    if reg is None:
        st.warning("This server runs without an instance registry, so nothing can be launched.", icon=":material/info:")
        return
    _launch_form(services.catalog, reg)
    _live_table(reg)


def _launch_form(catalog: Catalog, reg: Registry) -> None:
    titles = {p.id: p.meta.title for p in catalog}
    with st.form("launch", border=True, enter_to_submit=False):
        pick, port_col, button = st.columns([5, 1.6, 1.3], vertical_alignment="bottom")
        pattern_id = pick.selectbox(
            "Pattern to launch",
            list(titles),
            index=list(titles).index("mount_fastapi") if "mount_fastapi" in titles else 0,
            format_func=lambda pid: f"{titles[pid]}  ·  {pid}",
            key="launch_pattern",
        )
        port = port_col.number_input(
            "Port", min_value=1024, max_value=65535, value=None, step=1, placeholder="any free", key="launch_port"
        )
        submitted = button.form_submit_button(
            "Launch", icon=":material/rocket_launch:", type="primary", width="stretch", key="launch_button"
        )
    if submitted and pattern_id:
        launch(reg, pattern_id, int(port) if port else None)


def launch(reg: Registry, pattern_id: str, port: int | None = None) -> Instance | None:
    """Launch with a live status line; errors become an error box. Also used by the Patterns page."""
    slot = st.empty()
    status = slot.status(f"Launching {pattern_id}…", expanded=False)
    script_thread = threading.get_ident()

    def progress(elapsed: float, total: float | None, message: str) -> None:
        if threading.get_ident() == script_thread:  # Streamlit calls only work from the script thread
            status.update(label=f"Launching {pattern_id}: {message} ({elapsed:.1f} s)")

    try:
        instance = reg.launch(pattern_id, port, progress=progress)
    except StPatternsError as exc:
        slot.error(str(exc), icon=":material/error:")
        return None
    seconds = "" if instance.launch_seconds is None else f" in {instance.launch_seconds:.2f} s"
    label = f"{pattern_id} is running at {instance.url} ({instance.launch_mode}{seconds})"
    status.update(label=label, state="complete")
    st.session_state[SELECTED_KEY] = instance.id
    return instance


@st.fragment(run_every=REFRESH_SECONDS)
def _live_table(reg: Registry) -> None:
    common.show_flash()
    instances = reg.list()
    details = SAMPLER.details(reg, instances)
    active = [i for i in instances if i.status in ACTIVE]
    ended = [i for i in instances if i.status not in ACTIVE]

    with st.container(horizontal=True, vertical_alignment="center", key="instances-toolbar"):
        running = sum(i.status == "running" for i in active)
        st.markdown(
            f"**{running}** running · **{len(active)}** of {reg.max_instances} slots in use · **{len(ended)}** ended"
        )
        st.space("stretch")
        st.button(
            "Stop all",
            key="stop-all",
            icon=":material/stop_circle:",
            disabled=not active,
            on_click=common.act,
            args=("Stop all", reg.stop_all),
        )

    with st.container(key="instances"):
        if not active:
            _empty_state(bool(ended))
        else:
            _header()
            for instance in active:
                _row(reg, instance, details.get(instance.id))

    selected = _selected(instances)
    if ended:
        with st.expander(f"Ended instances ({len(ended)})", icon=":material/history:"):
            with st.container(key="ended"):
                for instance in ended:
                    _ended_row(reg, instance, details.get(instance.id))
    if selected is not None:
        _detail_panel(reg, selected, details.get(selected.id))


def _empty_state(has_ended: bool) -> None:
    with st.container(border=True, horizontal_alignment="center", key="instances-empty"):
        st.markdown("#### :material/inventory_2: No instance is running")
        hint = "Pick a pattern above and press **Launch**, or ask your agent to call "
        hint += '`launch_pattern(pattern_id="mount_fastapi")`.'
        if has_ended:
            hint += " Ended instances and their logs are listed below."
        st.markdown(hint)


def _header() -> None:
    with st.container(key="instances-header"):
        for col, title in zip(st.columns(COLUMNS, vertical_alignment="center"), HEADERS, strict=True):
            col.markdown(f"**{title}**" if title else "")


def _uptime(instance: Instance, detail: InstanceDetail | None) -> float | None:
    if instance.status in ACTIVE:
        return (datetime.now(UTC) - instance.started_at).total_seconds()
    return detail.uptime_seconds if detail else None


def _row(reg: Registry, instance: Instance, detail: InstanceDetail | None) -> None:
    iid = instance.id
    with st.container(key=f"instance-{iid}"):
        cells = st.columns(COLUMNS, vertical_alignment="center")
        kind = " :violet-badge[your app]" if instance.kind == "app" else ""
        cells[0].markdown(f"**{instance.pattern_id}**{kind}  \n:gray[`{iid}`]")
        cells[1].markdown(f"{status_badge(instance.status)} {sandbox_badge(instance)}")
        cells[2].markdown(f"[{instance.url.removeprefix('http://')}]({instance.url})")
        cells[3].markdown(str(instance.port))
        cells[4].markdown(str(instance.pid or "–"))
        cells[5].markdown(fmt_duration(_uptime(instance, detail)))
        cells[6].markdown(fmt_number(detail.cpu_percent if detail else None, "%"))
        cells[7].markdown(fmt_number(detail.rss_mb if detail else None, "MB", 0))
        cells[8].markdown(health_text(detail))
        with cells[9].container(horizontal=True, gap="small"):
            busy = instance.status == "stopping"
            st.button(
                "Stop",
                key=f"stop-{iid}",
                icon=":material/stop:",
                disabled=busy,
                on_click=common.act,
                args=(f"Stopping {iid}", reg.stop, iid),
            )
            st.button(
                "Restart",
                key=f"restart-{iid}",
                icon=":material/restart_alt:",
                disabled=busy,
                on_click=common.act,
                args=(f"Restarting {iid}", reg.restart, iid),
            )
            _logs_button(iid)


def _ended_row(reg: Registry, instance: Instance, detail: InstanceDetail | None) -> None:
    iid = instance.id
    with st.container(key=f"instance-{iid}"):
        cells = st.columns([2.4, 1.1, 2.0, 1.3, 1.3, 2.2], vertical_alignment="center")
        cells[0].markdown(f"**{instance.pattern_id}**  \n:gray[`{iid}`]")
        cells[1].markdown(status_badge(instance.status))
        cells[2].markdown(f"port {instance.port} · {instance.launch_mode} · {sandbox_badge(instance)}")
        code = "–" if instance.exit_code is None else str(instance.exit_code)
        cells[3].markdown(f"exit code {code}")
        cells[4].markdown(f"ran {fmt_duration(_uptime(instance, detail))}")
        with cells[5].container(horizontal=True, gap="small"):
            _logs_button(iid)
            st.button(
                "Forget",
                key=f"forget-{iid}",
                icon=":material/delete:",
                help="Forget it and its log file",
                on_click=common.act,
                args=(f"Forgetting {iid}", reg.remove, iid),
            )


def _logs_button(iid: str) -> None:
    chosen = st.session_state.get(SELECTED_KEY) == iid
    st.button(
        "Logs",
        key=f"logs-{iid}",
        icon=":material/article:",
        type="primary" if chosen else "secondary",
        on_click=_select,
        args=(iid,),
    )


def _select(iid: str) -> None:
    st.session_state[SELECTED_KEY] = iid


def _selected(instances: list[Instance]) -> Instance | None:
    """The instance whose logs are shown: the one picked, else the newest active one."""
    by_id = {i.id: i for i in instances}
    picked = st.session_state.get(SELECTED_KEY)
    if picked in by_id:
        return by_id[picked]
    active = [i for i in instances if i.status in ACTIVE]
    return active[0] if active else None


def _detail_panel(reg: Registry, instance: Instance, detail: InstanceDetail | None) -> None:
    iid = instance.id
    with st.container(border=True, key="selected-instance"):
        st.markdown(f"#### :material/article: {instance.pattern_id} {status_badge(instance.status)}  \n:gray[`{iid}`]")
        logs_col, info_col = st.columns([3, 2], gap="medium")
        with logs_col:
            with common.shown_errors():
                logs = reg.logs(iid, LOG_TAIL)
                caption, toggle = st.columns([3, 2], vertical_alignment="center")
                note = f"last {len(logs.lines)} of {logs.total_lines} lines" if logs.truncated else "all lines"
                caption.caption(f"Log tail ({note})")
                hide = toggle.toggle(
                    "Hide health checks",
                    value=True,
                    key="hide_health",
                    help="The table's own health requests show up in the access log.",
                )
                lines = [line for line in logs.lines if not (hide and HEALTH_LINE in line)]
                st.code("\n".join(lines) or "(no output yet)", language=None, height=280, wrap_lines=True)
        with info_col:
            _facts(instance, detail)
            history = SAMPLER.history(iid)
            if len(history) >= 2:
                with st.container(key="usage-chart"):
                    st.vega_lite_chart(spec=_chart_spec(history), width="stretch")
            elif instance.status in ACTIVE:
                st.caption("CPU and memory chart appears after a few seconds.")


def _facts(instance: Instance, detail: InstanceDetail | None) -> None:
    lines = [f"**URL** [{instance.url}]({instance.url})"]
    lines += [f"**{path}** [{url}]({url})" for path, url in instance.urls.items() if url != instance.url]
    launched = "–" if instance.launch_seconds is None else f"{instance.launch_seconds:.2f} s"
    lines.append(f"**Launch** {instance.launch_mode} in {launched} · started {instance.started_at:%H:%M:%S} UTC")
    lines.append(f"**Sandbox** {sandbox_text(instance)}")
    if instance.app_path:
        lines.append(f"**Your app** `{instance.app_path}`")
    if instance.exit_code is not None:
        lines.append(f"**Exit code** {instance.exit_code}")
    if detail is not None and instance.status in ACTIVE:
        cpu, rss = fmt_number(detail.cpu_percent, "%"), fmt_number(detail.rss_mb, "MB", 0)
        lines.append(f"**CPU** {cpu} · **RSS** {rss} · **health** {health_text(detail)}")
    st.markdown("  \n".join(lines))


def _chart_spec(history: list[common.Sample]) -> dict[str, Any]:
    """A Vega-Lite spec with inline data inside the layers (no dataframe, so no pandas/Arrow on the refresh)."""
    values = [{"t": datetime.fromtimestamp(s.at, UTC).isoformat(), "cpu": s.cpu, "rss": s.rss} for s in history]
    x = {"field": "t", "type": "temporal", "title": None, "axis": {"format": "%H:%M:%S", "labelOverlap": True}}

    def line(field: str, title: str, colour: str, orient: str, floor: float) -> dict[str, Any]:
        return {
            "data": {"values": values},
            "mark": {"type": "line", "color": colour, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {
                    "field": field,
                    "type": "quantitative",
                    "title": title,
                    "axis": {"orient": orient, "titleColor": colour},
                    "scale": {"domain": {"unionWith": [0, floor]}},
                },
            },
        }

    return {
        "height": 170,
        "layer": [line("cpu", "CPU %", "#ff4b4b", "left", 5), line("rss", "RSS MB", "#1c83e1", "right", 100)],
        "resolve": {"scale": {"y": "independent"}},
    }
