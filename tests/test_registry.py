"""Registry against real processes: launch, health, crash detection, stop, reaping, limits, cold fallback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from st_patterns.catalog.loader import Catalog, load_pattern
from st_patterns.errors import (
    CapacityReached,
    InstanceNotFound,
    InvalidInput,
    LaunchFailed,
    PatternNotFound,
    PortUnavailable,
    StPatternsError,
)
from st_patterns.instances.launcher import Launcher
from st_patterns.instances.registry import Registry
from st_patterns.instances.state import StateStore

pytestmark = pytest.mark.processes

REPO = Path(__file__).resolve().parent.parent
MOUNT_FASTAPI = REPO / "patterns" / "mount_fastapi"
SERVER_DIR = REPO / "server"


def write_pattern(root: Path, pattern_id: str, app_source: str) -> Path:
    """A minimal valid pattern folder whose app.py is ``app_source``."""
    folder = root / pattern_id
    folder.mkdir(parents=True)
    (folder / "pattern.toml").write_text(
        textwrap.dedent(f"""\
        id = "{pattern_id}"
        title = "Test pattern {pattern_id}"
        category = "skeleton"
        summary = "A pattern written by the registry tests."
        when_to_use = ["tests"]
        when_not_to_use = ["anything else"]
        run = "uvicorn app:app"
        pitfalls = ["none"]
        ui_marker = "marker-{pattern_id}"
        """)
    )
    (folder / "probes.toml").write_text('[[probe]]\nname = "health"\npath = "/_stcore/health"\nexpect_status = 200\n')
    sections = "".join(f"## {name}\n\ntext\n\n" for name in ("Problem", "How it works", "Key lines", "What breaks"))
    (folder / "explanation.md").write_text(f"# {pattern_id}\n\n{sections}")
    (folder / "ui.py").write_text(f'import streamlit as st\n\nst.write("marker-{pattern_id}")\n')
    (folder / "app.py").write_text(textwrap.dedent(app_source))
    return folder


CRASHING_APP = """\
    print("about to fail on purpose", flush=True)
    raise RuntimeError("boom at import")
"""
SLOW_APP = """\
    import time
    from pathlib import Path
    from streamlit.starlette import App

    time.sleep(30)  # never healthy within the test's timeout
    app = App(Path(__file__).resolve().parent / "ui.py")
"""


@pytest.fixture(scope="module")
def test_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("catalog")
    patterns = {"mount_fastapi": load_pattern(MOUNT_FASTAPI)}
    for pattern_id, source in (("crashing_app", CRASHING_APP), ("slow_app", SLOW_APP)):
        patterns[pattern_id] = load_pattern(write_pattern(root, pattern_id, source))
    return Catalog(patterns)


@pytest.fixture(scope="module")
def registry(test_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with Registry(test_catalog, tmp_path_factory.mktemp("state"), max_instances=6) as reg:
        yield reg


def is_gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def hello(url: str) -> object:
    return httpx.get(url, timeout=5, trust_env=False).json()


def test_launch_serves_the_api_and_stop_ends_the_process(registry: Registry) -> None:
    seen: list[tuple[float, float, str]] = []
    inst = registry.launch("mount_fastapi", progress=lambda done, total, msg: seen.append((done, total, msg)))
    assert inst.status == "running" and inst.launch_mode == "fork" and inst.pid
    assert inst.health_url == f"http://127.0.0.1:{inst.port}/_stcore/health"
    assert hello(inst.urls["/api/hello"]) == {"message": "hello world"}
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] and "healthy" in seen[-1][2]
    detail = registry.get(inst.id)
    assert detail.healthy is True and detail.rss_mb and detail.uptime_seconds >= 0
    stopped = registry.stop(inst.id)
    assert stopped.status == "stopped" and stopped.exit_code is not None
    assert wait_until(lambda: is_gone(inst.pid), 2)


def test_kill_9_shows_exited_within_a_second(registry: Registry) -> None:
    inst = registry.launch("mount_fastapi")
    version = registry.version
    os.kill(inst.pid, signal.SIGKILL)
    assert wait_until(lambda: registry.get(inst.id).status == "exited", 1.0)
    assert registry.get(inst.id).exit_code == -signal.SIGKILL
    assert registry.version > version
    assert registry.stop(inst.id).status == "exited"  # stopping a gone process is not an error


def test_crash_at_import_raises_launch_failed_with_log_and_code(registry: Registry) -> None:
    with pytest.raises(LaunchFailed) as info:
        registry.launch("crashing_app")
    assert info.value.returncode == 1
    assert "boom at import" in info.value.log_tail and "about to fail" in info.value.log_tail
    failed = [i for i in registry.list() if i.pattern_id == "crashing_app"]
    assert failed and failed[0].status == "failed"


def test_timeout_stops_the_process_and_says_why(registry: Registry) -> None:
    with pytest.raises(LaunchFailed, match="did not answer 200 within 1 s"):
        registry.launch("slow_app", timeout=1)
    pid = next(i.pid for i in registry.list() if i.pattern_id == "slow_app")
    assert pid is not None and wait_until(lambda: is_gone(pid), 2)


def test_unknown_ids_and_bad_arguments(registry: Registry) -> None:
    with pytest.raises(PatternNotFound):
        registry.launch("no_such_pattern")
    for call in (registry.get, registry.stop, registry.restart, registry.logs, registry.remove):
        with pytest.raises(InstanceNotFound):
            call("mount_fastapi-000000")
    for port in (80, 70000, True):
        with pytest.raises(InvalidInput):
            registry.launch("mount_fastapi", port=port)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        registry.launch("mount_fastapi", timeout=0)


def test_taken_port_is_refused_with_its_number(registry: Registry) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortUnavailable, match=rf"Port {port} .*Omit the port"):
            registry.launch("mount_fastapi", port=port)
    inst = registry.launch("mount_fastapi", port=port)  # free again
    try:
        with pytest.raises(PortUnavailable, match=f"used by instance '{inst.id}'"):
            registry.launch("mount_fastapi", port=port)
    finally:
        registry.stop(inst.id)


def test_logs_tail_and_truncation(registry: Registry) -> None:
    inst = registry.launch("mount_fastapi")
    try:
        hello(inst.urls["/api/hello"])
        assert wait_until(lambda: any("/api/hello" in line for line in registry.logs(inst.id).lines), 2)
        two = registry.logs(inst.id, tail=2)
        assert len(two.lines) == 2 and two.total_lines > 2 and two.truncated
        with pytest.raises(InvalidInput):
            registry.logs(inst.id, tail=0)
    finally:
        registry.stop(inst.id)


def test_logs_page_like_a_file_and_follow_new_lines(registry: Registry) -> None:
    inst = registry.launch("mount_fastapi")
    try:
        first = registry.logs(inst.id, tail=3, offset=0)
        assert first.offset == 0 and first.lines == registry.logs(inst.id, tail=2000).lines[:3]
        assert first.next_offset == len(first.lines) and first.more == (first.total_lines > len(first.lines))
        caught_up = registry.logs(inst.id, tail=2000, offset=first.next_offset)
        end = caught_up.next_offset
        assert end == caught_up.total_lines and not caught_up.more
        assert registry.logs(inst.id, offset=end).lines == []  # nothing new yet: an empty page, same offset
        hello(inst.urls["/api/hello"])
        assert wait_until(lambda: registry.logs(inst.id, offset=end).lines, 2)
        new = registry.logs(inst.id, offset=end)
        assert new.offset == end and any("/api/hello" in line for line in new.lines)  # only what came since
        beyond = registry.logs(inst.id, offset=new.total_lines + 50)
        assert beyond.lines == [] and beyond.next_offset == new.total_lines
        with pytest.raises(InvalidInput, match="offset"):
            registry.logs(inst.id, offset=-1)
    finally:
        registry.stop(inst.id)


def test_restart_keeps_id_and_port(registry: Registry) -> None:
    inst = registry.launch("mount_fastapi")
    again = registry.restart(inst.id)
    try:
        assert (again.id, again.port, again.status) == (inst.id, inst.port, "running")
        assert again.pid != inst.pid and is_gone(inst.pid)
        assert hello(again.urls["/api/hello"]) == {"message": "hello world"}
    finally:
        registry.stop(inst.id)


def test_three_concurrent_launches_get_distinct_ports(registry: Registry) -> None:
    results: list[object] = []

    def launch() -> None:
        try:
            results.append(registry.launch("mount_fastapi"))
        except Exception as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=launch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert all(not isinstance(r, Exception) for r in results), results
        assert len({r.port for r in results}) == 3  # type: ignore[attr-defined]
        for inst in results:
            assert hello(inst.urls["/api/hello"]) == {"message": "hello world"}  # type: ignore[attr-defined]
    finally:
        registry.stop_all()
    assert not [i for i in registry.list() if i.status in ("starting", "running", "stopping")]


def test_cap_reached(test_catalog: Catalog, tmp_path: Path) -> None:
    with Registry(test_catalog, tmp_path, max_instances=1) as reg:
        first = reg.launch("mount_fastapi")
        with pytest.raises(CapacityReached, match="cap of 1"):
            reg.launch("mount_fastapi")
        reg.stop(first.id)
        reg.stop(reg.launch("mount_fastapi").id)


def test_cold_path_when_fork_is_disabled(test_catalog: Catalog, tmp_path: Path) -> None:
    with Registry(test_catalog, tmp_path, use_fork=False) as reg:
        inst = reg.launch("mount_fastapi")
        assert inst.launch_mode == "cold"
        assert hello(inst.urls["/api/hello"]) == {"message": "hello world"}
        reg.stop(inst.id)
        assert wait_until(lambda: is_gone(inst.pid), 2)


def test_broken_fork_server_falls_back_to_cold(test_catalog: Catalog, tmp_path: Path) -> None:
    launcher = Launcher(forkserver_cmd=[sys.executable, "-c", "raise SystemExit(3)"])
    with Registry(test_catalog, tmp_path, launcher=launcher) as reg:
        inst = reg.launch("mount_fastapi")
        assert inst.launch_mode == "cold" and "code 3" in (launcher.fork_problem or "")
        assert hello(inst.urls["/api/hello"]) == {"message": "hello world"}


def test_close_stops_everything_and_is_idempotent(test_catalog: Catalog, tmp_path: Path) -> None:
    reg = Registry(test_catalog, tmp_path)
    inst = reg.launch("mount_fastapi")  # starts the registry lazily
    forkserver = reg._launcher.forkserver_pid
    assert forkserver is not None
    reg.close()
    reg.close()
    assert is_gone(inst.pid) and wait_until(lambda: is_gone(forkserver), 2)
    with pytest.raises(StPatternsError):
        reg.launch("mount_fastapi")


OWNER_SCRIPT = """\
import json, sys, time
from pathlib import Path
from st_patterns.catalog.loader import Catalog, load_pattern
from st_patterns.instances.registry import Registry

state, folder = Path(sys.argv[1]), Path(sys.argv[2])
catalog = Catalog({"mount_fastapi": load_pattern(folder)})
fork = Registry(catalog, state / "fork")
cold = Registry(catalog, state / "cold", use_fork=False)
a, b = fork.launch("mount_fastapi"), cold.launch("mount_fastapi")
print(json.dumps({"fork": a.pid, "cold": b.pid, "forkserver": fork._launcher.forkserver_pid}), flush=True)
time.sleep(600)
"""


def test_sigkill_of_the_owner_leaves_nothing_running(test_catalog: Catalog, tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SERVER_DIR), os.environ.get("PYTHONPATH", "")])}
    owner = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "state"), str(MOUNT_FASTAPI)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert owner.stdout is not None
        pids = json.loads(owner.stdout.readline())
        assert all(psutil.pid_exists(pid) for pid in pids.values()), pids
    finally:
        owner.kill()
        owner.wait()
    assert wait_until(lambda: all(is_gone(pid) for pid in pids.values()), 10), pids
    with Registry(test_catalog, tmp_path / "state" / "fork") as reg:  # nothing left to reap
        assert reg.reaped == [] and reg.list() == []


def test_start_reaps_leftovers_of_a_dead_owner_after_checking_create_time(
    test_catalog: Catalog, tmp_path: Path
) -> None:
    sleep = [sys.executable, "-c", "import time; time.sleep(120)"]
    leftover = subprocess.Popen(sleep, start_new_session=True)
    decoy = subprocess.Popen(sleep, start_new_session=True)
    try:
        (tmp_path / "logs").mkdir()
        store = StateStore(tmp_path / "registry.sqlite3")
        store.owner = (leftover.pid, 1.0)  # an owner that no longer exists
        created = psutil.Process(leftover.pid).create_time()
        store.put("x-1", "instance", leftover.pid, created, "mount_fastapi", 9999, "running")
        decoy_created = psutil.Process(decoy.pid).create_time() + 100  # the pid was reused since: do not touch
        store.put("x-2", "instance", decoy.pid, decoy_created, "mount_fastapi", 9998, "running")
        store.close(forget=False)
        with Registry(test_catalog, tmp_path) as reg:
            assert reg.reaped == [leftover.pid]
        assert leftover.wait(5) == -signal.SIGTERM
        assert decoy.poll() is None
    finally:
        for proc in (leftover, decoy):
            proc.kill()
            proc.wait()


def test_version_and_wait_for_change(registry: Registry) -> None:
    version = registry.version
    box: list[int] = []
    waiter = threading.Thread(target=lambda: box.append(registry.wait_for_change(version, 30)))
    waiter.start()
    inst = registry.launch("mount_fastapi")
    waiter.join(30)
    registry.remove(inst.id)
    assert box and box[0] > version
    assert all(i.id != inst.id for i in registry.list())
