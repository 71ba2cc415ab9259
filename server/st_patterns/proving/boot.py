"""Boot an app for validation: a catalog pattern, or (with --allow-user-code) an agent's own file.

Validation processes come from the same Launcher as instances (so they fork from the warm fork server) but
are not registry instances: they are not listed, do not count against the cap, and are always stopped.

Example::

    boot = pattern_boot(launcher, state_dir / "validation")
    app = boot(catalog.get("mount_fastapi"))
    ...; app.stop()
"""

from __future__ import annotations

import shutil
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

from st_patterns.catalog.loader import Pattern
from st_patterns.errors import LaunchFailed
from st_patterns.instances.backends.base import Backend, SpawnSpec
from st_patterns.instances.record import Reporter, wait_healthy
from st_patterns.instances.source import AppSource
from st_patterns.instances.state import pick_port
from st_patterns.proving.probes import Shutdown
from st_patterns.proving.sidecars import SidecarMissing, SidecarSet
from st_patterns.proving.validator import Boot, BootedApp

BOOT_TIMEOUT = 30.0
_LOG_TAIL_BYTES = 4000
_LOG_READ_BYTES = 1024 * 1024  # what log probes read: the last MiB
# Validation traffic stays on this machine: an app's outgoing HTTP(S) through a proxy goes to a closed loopback port
# (Streamlit 1.67 looks up its external address on checkip.amazonaws.com whenever a foreign Origin is refused).
_DEAD_PROXY = "http://127.0.0.1:9"
_LOOPBACK_ONLY = {
    "HTTP_PROXY": _DEAD_PROXY, "HTTPS_PROXY": _DEAD_PROXY, "http_proxy": _DEAD_PROXY, "https_proxy": _DEAD_PROXY,
    "NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1",
}  # fmt: skip


def _tail(path: Path) -> str:
    try:
        return path.read_bytes()[-_LOG_TAIL_BYTES:].decode("utf-8", "replace")
    except OSError:
        return ""


def boot_spec(
    launcher: Backend,
    name: str,
    spec: SpawnSpec,
    base_path: str,
    timeout: float = BOOT_TIMEOUT,
    *,
    health_path: str | None = None,
    up: tuple[int, ...] = (200,),
) -> BootedApp:
    """Spawn ``spec`` and wait until its health path (default ``<base_path>_stcore/health``) answers one of ``up``.

    Raises LaunchFailed (with the log tail) otherwise.
    """
    started = time.monotonic()
    try:
        child = launcher.spawn(spec, timeout=timeout)
    except (OSError, RuntimeError) as exc:
        raise LaunchFailed(name, f"could not start a process: {exc}") from exc
    base = f"http://{spec.host}:{spec.port}"
    url = f"{base}{health_path or f'{base_path}_stcore/health'}"
    report = Reporter(None, timeout, time.monotonic)
    reason = wait_healthy(child, url, timeout, time.monotonic, report, started=started, up=up)
    if reason is not None:
        launcher.terminate([child])
        raise LaunchFailed(name, reason, log_tail=_tail(spec.log_path), returncode=child.returncode)

    def shutdown(within: float) -> Shutdown:
        """SIGTERM, wait up to ``within`` s, then SIGKILL: how long it took and whether it had to be killed."""
        began = time.monotonic()
        launcher.terminate([child], grace=within)
        took = time.monotonic() - began
        killed = child.returncode == -signal.SIGKILL or took >= within
        return Shutdown(seconds=round(took, 3), killed=killed, returncode=child.returncode)

    return BootedApp(
        base_url=base,
        boot_seconds=time.monotonic() - started,
        stop=lambda: launcher.terminate([child]),
        shutdown=shutdown,
    )


# Streamlit reads .streamlit/config.toml from the working directory. Validation runs patterns from a foreign one,
# where this file turns off what no probe looks at: the source watcher re-resolves every module path in
# sys.modules after each script run (measured: ~60% of a websocket probe's time), and usage statistics.
VALIDATION_CONFIG = """\
# Written by st-patterns for validation runs: nothing here changes what an app serves.
[server]
fileWatcherType = "none"

[browser]
gatherUsageStats = false
"""


def validation_cwd(log_dir: Path) -> Path:
    """``log_dir``, with the validation-only Streamlit config in it."""
    config = log_dir / ".streamlit" / "config.toml"
    if not config.is_file():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(VALIDATION_CONFIG, encoding="utf-8")
    return log_dir


def pattern_boot(
    launcher: Backend, log_dir: Path, *, python: str = sys.executable, image_base: str | None = None
) -> Boot:
    """A Boot that serves catalog patterns on free loopback ports, logging to ``log_dir``, with their sidecars.

    ``python`` is the interpreter the launcher serves apps with (a matrix environment's): sidecars that run the
    app's code again (a second worker, ``python app.py``) use it through ``{{python}}``.
    """

    def boot(pattern: Pattern) -> BootedApp:
        log_dir.mkdir(parents=True, exist_ok=True)
        validation_cwd(log_dir)
        source = AppSource.from_pattern(pattern)
        port = pick_port("127.0.0.1", set())
        log_path = log_dir / f"{pattern.id}.log"
        sidecars = None
        if pattern.sidecars:
            scratch = log_dir / "sidecars" / pattern.id
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
            sidecars = SidecarSet(pattern, scratch, app_port=port, python=python, image_base=image_base)
            sidecars.check_needs()
            reached = [s.name for s in pattern.sidecars if s.app_connects]
            if reached and launcher.info.contained:
                raise SidecarMissing(
                    f"the app must reach its sidecar {reached[0]!r}, and the {launcher.info.name} sandbox gives it "
                    "no network"
                )
            sidecars.start()
            source = replace(source, env={**source.env, **sidecars.app_env})
        source = replace(source, env={**_LOOPBACK_ONLY, **source.env})
        try:
            # a foreign working directory: patterns must not depend on it
            spec = source.spawn_spec(port, log_path, cwd=log_dir)
            app = boot_spec(launcher, pattern.id, spec, source.base_path)
        except BaseException:
            if sidecars is not None:
                sidecars.stop()
            raise
        return _with_sidecars(app, log_path, sidecars)

    return boot


def _with_sidecars(app: BootedApp, log_path: Path, sidecars: SidecarSet | None) -> BootedApp:
    """The booted app with what its probes may reach: sidecars, logs, a timed shutdown."""
    stop_app = app.stop

    def read_log(name: str | None) -> str:
        if name is not None:
            return sidecars.log(name) if sidecars is not None else ""
        try:
            return log_path.read_bytes()[-_LOG_READ_BYTES:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop() -> None:
        try:
            stop_app()
        finally:
            if sidecars is not None:
                sidecars.stop()

    return replace(
        app,
        stop=stop,
        targets=dict(sidecars.urls) if sidecars else {},
        variables=dict(sidecars.values) if sidecars else {"app_url": app.base_url},
        read_log=read_log,
    )


def user_file_boot(launcher: Backend, path: Path, log_dir: Path, base_path: str = "/") -> BootedApp:
    """Serve an agent's own ASGI module (exposing ``app``) the way patterns are served. Executes user code."""
    log_dir.mkdir(parents=True, exist_ok=True)
    spec = SpawnSpec(
        folder=path.parent,
        entry=path.name,
        port=pick_port("127.0.0.1", set()),
        log_path=log_dir / f"user-{path.stem}.log",
        cwd=path.parent,
    )
    return boot_spec(launcher, path.name, spec, base_path)
