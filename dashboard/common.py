"""Shared pieces of the dashboard: access to the live services, error boxes, formatting, a shared sampler.

Everything the dashboard shows comes from ``st_patterns.services.current()``; this module adds presentation
only. Module-level state here (the sampler) is shared by every browser session of the one server process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import streamlit as st

from st_patterns.errors import StPatternsError
from st_patterns.instances.models import ACTIVE_STATUSES
from st_patterns.services import Services, current

if TYPE_CHECKING:
    from st_patterns.instances.models import Instance, InstanceDetail
    from st_patterns.instances.registry import Registry

ACTIVE = ACTIVE_STATUSES  # starting, running, stopping
STATUS_COLOUR = {
    "starting": "blue",
    "running": "green",
    "stopping": "orange",
    "stopped": "gray",
    "exited": "red",
    "failed": "red",
}
CATEGORY_COLOUR = {"skeleton": "blue", "guard": "orange", "bridge": "violet", "operations": "green"}
DETAIL_TTL = 3.0  # seconds a sampled InstanceDetail (CPU, RSS, health) is reused across reruns and sessions
HISTORY_POINTS = 150  # samples kept per instance for the chart (~7 minutes at DETAIL_TTL)
FLASH_KEY = "_flash"
P = ParamSpec("P")
T = TypeVar("T")


def services() -> Services:
    """The server's live services; stops the page with a clear message when they are missing."""
    try:
        return current()
    except RuntimeError as exc:
        st.error(f"{exc}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() raises


@contextlib.contextmanager
def shown_errors() -> Iterator[None]:
    """Show a core error as an error box (its message, never a traceback) instead of raising it."""
    try:
        yield
    except StPatternsError as exc:
        st.error(str(exc), icon=":material/error:")


def flash(kind: str, text: str) -> None:
    """Keep a message for the next run (actions that rerun would otherwise lose it)."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH_KEY, (None, None))
    if kind == "error":
        st.error(text, icon=":material/error:")
    elif kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "info":
        st.info(text, icon=":material/info:")


def act(label: str, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
    """Run a registry action (a button callback); on a core error keep its message for the next run."""
    try:
        return action(*args, **kwargs)
    except StPatternsError as exc:
        flash("error", f"{label} failed: {exc}")
        return None


def status_badge(status: str) -> str:
    return f":{STATUS_COLOUR.get(status, 'gray')}-badge[{status}]"


def sandbox_badge(instance: Instance) -> str:
    """Green when contained (bwrap, docker), gray on the host."""
    return f":{'green' if instance.sandbox != 'none' else 'gray'}-badge[{instance.sandbox}]"


def sandbox_text(instance: Instance) -> str:
    if instance.sandbox == "none":
        return "none (runs on the host, no limits)"
    limits = instance.limits
    shown = "limits not enforced" if limits is None else limits.text()
    return f"{instance.sandbox} · {shown}"


def category_badge(category: str) -> str:
    return f":{CATEGORY_COLOUR.get(category, 'gray')}-badge[{category}]"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def fmt_number(value: float | None, unit: str, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f} {unit}"


def health_text(detail: InstanceDetail | None) -> str:
    if detail is None or detail.healthy is None:
        return ":gray[–]"
    return ":green[:material/favorite: ok]" if detail.healthy else ":red[:material/heart_broken: down]"


@dataclass(frozen=True)
class Sample:
    at: float
    cpu: float | None
    rss: float | None


class Sampler:
    """Reuses each instance's live detail for ``DETAIL_TTL`` seconds and keeps a short CPU/RSS history.

    The live table reruns every second in every open tab; this keeps the cost of ``registry.get`` (psutil and
    a health request per instance) to one call per instance per ``DETAIL_TTL``, whatever the number of tabs.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._details: dict[str, tuple[float, InstanceDetail]] = {}
        self._history: dict[str, deque[Sample]] = {}

    def details(self, reg: Registry, instances: list[Instance]) -> dict[str, InstanceDetail]:
        now = time.monotonic()
        wanted = {i.id: i for i in instances}
        out: dict[str, InstanceDetail] = {}
        for instance in instances:
            with self._lock:
                cached = self._details.get(instance.id)
            fresh = cached is not None and now - cached[0] < DETAIL_TTL and cached[1].status == instance.status
            if fresh and cached is not None:
                out[instance.id] = cached[1]
                continue
            if instance.status not in ACTIVE and cached is not None and cached[1].status == instance.status:
                out[instance.id] = cached[1]  # ended: nothing changes any more
                continue
            try:
                detail = reg.get(instance.id)
            except StPatternsError:
                continue  # vanished between list() and get(); the next tick shows the truth
            with self._lock:
                self._details[instance.id] = (now, detail)
                if detail.status in ACTIVE:
                    history = self._history.setdefault(instance.id, deque(maxlen=HISTORY_POINTS))
                    history.append(Sample(time.time(), detail.cpu_percent, detail.rss_mb))
            out[instance.id] = detail
        with self._lock:  # forget instances the registry no longer lists
            for gone in set(self._details) - set(wanted):
                self._details.pop(gone, None)
                self._history.pop(gone, None)
        return out

    def history(self, instance_id: str) -> list[Sample]:
        with self._lock:
            return list(self._history.get(instance_id, ()))


SAMPLER = Sampler()
