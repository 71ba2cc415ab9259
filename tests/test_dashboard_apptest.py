"""The dashboard script under Streamlit's AppTest, against the real Registry and ValidationStore.

AppTest runs the script in this process, so ``services.install(...)`` here is what the dashboard reads. It does
not tick ``run_every``: each ``at.run()`` stands for one refresh.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from st_patterns import services as services_module
from st_patterns.catalog.loader import Catalog
from st_patterns.instances.registry import Registry
from st_patterns.models import CheckResult, ValidationReport
from st_patterns.paths import dashboard_script
from st_patterns.proving.results import ValidationStore
from st_patterns.services import Services, install
from st_patterns.settings import Settings

SCRIPT = str(dashboard_script())
TIMEOUT = 60  # seconds per AppTest run: a launch from the UI waits for a real process


def app() -> AppTest:
    return AppTest.from_file(SCRIPT, default_timeout=TIMEOUT)


def texts(at: AppTest) -> str:
    """Every markdown/caption/error/info text of the last run, joined (for `in` assertions)."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.info, *at.warning, *at.success)]
    return "\n".join(str(p) for p in parts)


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Restore whatever services were installed before the test."""
    monkeypatch.setattr(services_module, "_current", services_module._current)
    yield


def make_services(catalog: Catalog, registry: Registry | None) -> Services:
    return install(Services(catalog=catalog, settings=Settings(), registry=registry, validations=ValidationStore()))


# -- no processes ---------------------------------------------------------------------------------------------


def test_without_services_shows_an_error_not_a_traceback(installed: None) -> None:
    services_module._current = None
    at = app().run()
    assert not at.exception
    assert "not installed" in texts(at)


def test_empty_state(installed: None, catalog: Catalog, tmp_path: Path) -> None:
    make_services(catalog, Registry(catalog, tmp_path))  # never started: lists nothing, spawns nothing
    at = app().run()
    assert not at.exception
    assert "No instance is running" in texts(at)
    assert "stop-all" in button_keys(at) and at.button(key="stop-all").disabled
    assert at.selectbox(key="launch_pattern").value == "mount_fastapi"


def test_patterns_gallery_and_detail(installed: None, catalog: Catalog, tmp_path: Path) -> None:
    make_services(catalog, Registry(catalog, tmp_path))
    at = app().run()
    at.switch_page("page_patterns.py").run()
    assert not at.exception
    keys = button_keys(at)
    for pattern_id in catalog.ids():
        assert {f"open-{pattern_id}", f"launch-{pattern_id}", f"validate-{pattern_id}"} <= keys
    at.button(key="open-middleware_auth").click().run()
    assert not at.exception
    shown = texts(at)
    assert catalog.get("middleware_auth").meta.title in shown
    assert "When to use" in shown and "How it works" in shown
    sources = [c.value for c in at.code]
    assert any("AuthMiddleware" in s for s in sources), "the source tab shows app.py"
    at.button(key="back").click().run()
    assert f"open-{catalog.ids()[0]}" in button_keys(at)


def test_pattern_search_with_no_match(installed: None, catalog: Catalog, tmp_path: Path) -> None:
    make_services(catalog, Registry(catalog, tmp_path))
    at = app().run()
    at.switch_page("page_patterns.py").run()
    at.text_input(key="pattern_query").input("zzz-no-such-thing").run()
    assert not at.exception
    assert "No pattern matches" in texts(at)


def _report(pattern_id: str, ok: bool) -> ValidationReport:
    checks = [
        CheckResult(
            name="own probe", kind="http", passed=True, expected="200", actual="200", seconds=0.01, group="pattern"
        ),
        CheckResult(
            name="websocket runs the script",
            kind="websocket",
            passed=ok,
            expected="runs",
            actual="runs" if ok else "closed 1008",
            seconds=0.3,
            group="universal",
        ),
    ]
    return ValidationReport(
        pattern_id=pattern_id,
        passed=ok,
        checks=checks,
        total=2,
        failed=0 if ok else 1,
        seconds=2.5,
        boot_seconds=1.2,
        started_at="2026-11-25T10:00:00+00:00",
    )


def test_validation_matrix_and_detail(installed: None, catalog: Catalog, tmp_path: Path) -> None:
    services = make_services(catalog, Registry(catalog, tmp_path))
    assert services.validations is not None
    services.validations.record(_report("mount_fastapi", ok=True))
    services.validations.record(_report("middleware_auth", ok=False))
    at = app().run()
    at.switch_page("page_validation.py").run()
    assert not at.exception
    html = "\n".join(str(e.value) for e in at.get("html"))
    assert 'data-pattern="mount_fastapi"' in html and 'data-pattern="middleware_auth"' in html
    assert "stp-cell stp-fail" in html and "closed 1008" in html
    assert "validate-all" in button_keys(at)
    labels = [e.label for e in at.expander]
    assert any("middleware_auth" in label and "1/2" in label for label in labels)


def test_versions_page_shows_the_committed_matrix_and_the_latest_run(
    installed: None, catalog: Catalog, tmp_path: Path
) -> None:
    from st_patterns.catalog.compat import Cell
    from st_patterns.matrix.run import MatrixReport

    services = make_services(catalog, None)
    assert catalog.compat is not None
    red = Cell(passed=False, checks=12, failed=1, first_failure="page HTML is served: status 500")
    services.last_matrix = MatrixReport(
        versions=["1.58.0"], patterns=["mount_fastapi"], cells={"mount_fastapi": {"1.58.0": red}},
        environments=[], seconds=12.0, env_seconds=0.0, passed=False,
    )  # fmt: skip
    at = app().run()
    at.switch_page("page_versions.py").run()
    assert not at.exception
    html = "\n".join(str(e.value) for e in at.get("html"))
    assert all(f'data-pattern="{pid}"' in html for pid in catalog.ids())
    assert html.count('data-release="1.53.1"') >= len(catalog.ids()) and "stp-cell stp-pass" in html
    assert "starlette<1.4" in texts(at) and catalog.compat.generated in texts(at)
    assert "mount_fastapi` on 1.58.0: page HTML is served: status 500" in texts(at)  # the latest run's red cell


def test_validation_without_engine_says_so(
    installed: None, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(services_module, "validate_patterns", raising=False)
    make_services(catalog, Registry(catalog, tmp_path))
    at = app().run()
    at.switch_page("page_validation.py").run()
    assert not at.exception
    assert "not available" in texts(at)
    assert at.button(key="validate-all").disabled
    assert "No validation results yet" in texts(at)


def test_run_all_starts_the_engine_in_the_background(
    installed: None, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_validate_patterns(services: Services, ids: list[str]) -> SimpleNamespace:
        calls.append(list(ids))
        assert services.validations is not None
        for pattern_id in ids:
            services.validations.record(_report(pattern_id, ok=True))
        return SimpleNamespace(passed=True)

    monkeypatch.setattr(services_module, "validate_patterns", fake_validate_patterns, raising=False)
    make_services(catalog, Registry(catalog, tmp_path))
    at = app().run()
    at.switch_page("page_validation.py").run()
    at.button(key="validate-all").click().run()
    assert not at.exception
    runs = sys.modules["st_patterns_dashboard.jobs"].RUNS
    deadline = time.monotonic() + 10
    while runs.state.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert calls == [catalog.ids()]
    at.run()
    assert "Last run from here" in texts(at) and "all passed" in texts(at)
    html = "\n".join(str(e.value) for e in at.get("html"))
    assert all(f'data-pattern="{pid}"' in html for pid in catalog.ids())
    assert "stp-cell stp-fail" not in html


# -- a real instance ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Catalog, Registry]]:
    catalog = Catalog.load()
    registry = Registry(catalog, tmp_path_factory.mktemp("dash-registry"), max_instances=4)
    registry.start()
    try:
        yield catalog, registry
    finally:
        registry.close()


@pytest.mark.processes
def test_live_row_shows_then_stop_button_stops_it(installed: None, live: tuple[Catalog, Registry]) -> None:
    catalog, registry = live
    make_services(catalog, registry)
    instance = registry.launch("mount_fastapi")
    at = app().run()
    assert not at.exception
    shown = texts(at)
    assert instance.id in shown and str(instance.port) in shown and instance.url in shown
    assert f"stop-{instance.id}" in button_keys(at)
    at.run()  # the next refresh reuses the sampled detail and still shows the row
    assert instance.id in texts(at)
    assert any(instance.url in c.value or "Uvicorn running" in c.value for c in at.code), "log tail of the selection"

    at.button(key=f"stop-{instance.id}").click().run()
    assert not at.exception
    assert {i.id: i.status for i in registry.list()}[instance.id] == "stopped"
    assert f"stop-{instance.id}" not in button_keys(at), "a stopped instance leaves the live table"
    assert f"logs-{instance.id}" in button_keys(at), "and is listed under ended instances"


@pytest.mark.processes
def test_launch_from_the_form_and_port_error_is_shown(installed: None, live: tuple[Catalog, Registry]) -> None:
    catalog, registry = live
    make_services(catalog, registry)
    at = app().run()
    at.selectbox(key="launch_pattern").select("route_custom_endpoints")
    at.button(key="launch_button").click().run()
    assert not at.exception
    launched = [i for i in registry.list() if i.pattern_id == "route_custom_endpoints" and i.status == "running"]
    assert len(launched) == 1
    assert f"stop-{launched[0].id}" in button_keys(at)

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        at.number_input(key="launch_port").set_value(port)
        at.button(key="launch_button").click().run()
    assert not at.exception
    assert any(str(port) in e.value for e in at.error), "the core's message, in an error box"

    at.button(key="stop-all").click().run()
    assert all(i.status not in ("starting", "running") for i in registry.list())


@pytest.mark.processes
def test_stale_instance_id_error_is_shown(installed: None, live: tuple[Catalog, Registry]) -> None:
    catalog, registry = live
    make_services(catalog, registry)
    instance = registry.launch("mount_fastapi")
    at = app().run()
    registry.remove(instance.id)  # gone behind the page's back (e.g. an agent removed it)
    at.button(key=f"restart-{instance.id}").click().run()
    assert not at.exception
    assert any("Unknown instance id" in e.value for e in at.error)
