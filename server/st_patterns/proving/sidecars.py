"""Start the other real programs a pattern's probes need (nginx, an OIDC provider, a second worker, a container)
beside the app under test, and stop them afterwards.

Every port is picked before anything starts, so any sidecar, the app's environment and the probes can name any
other's address (``{{proxy.url}}``, ``{{app_port}}``). A sidecar whose program is missing makes the whole pattern
*skipped* with the reason (:class:`SidecarMissing`), never a silent pass.

Example::

    sidecars = SidecarSet(pattern, scratch, app_port=8501)
    sidecars.check_needs()          # raises SidecarMissing("needs nginx")
    sidecars.start()                # raises LaunchFailed with the sidecar's log tail
    sidecars.urls["proxy"], sidecars.app_env
    sidecars.stop()
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from st_patterns.catalog.contract import PLACEHOLDER_RE, Sidecar
from st_patterns.catalog.loader import Pattern
from st_patterns.errors import LaunchFailed, StPatternsError
from st_patterns.instances.backends.docker import connect
from st_patterns.instances.launcher import dies_with_us
from st_patterns.instances.state import pick_port

STOP_GRACE = 5.0
_LOG_TAIL_BYTES = 3000
_DOCKER_LABEL = "st-patterns.sidecar"


class SidecarMissing(StPatternsError):
    """A sidecar's program is not on this machine: the pattern is skipped, with this reason."""


def render(text: str, values: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders; an unknown one raises (the contract already refused typos at load)."""

    def one(match: Any) -> str:
        name = match.group(1)
        if name not in values:
            raise StPatternsError(f"unknown placeholder {{{{{name}}}}}")
        return values[name]

    return PLACEHOLDER_RE.sub(one, text)


def missing_need(need: str) -> str | None:
    """Why ``need`` is not met here, or None when it is."""
    if need == "docker":
        try:
            connect().close()  # the docker sandbox's own ping, with its short deadline
        except OSError:
            return "needs docker (a running Docker daemon)"
        return None
    if need.startswith("python:"):
        module = need.removeprefix("python:")
        if importlib.util.find_spec(module) is None:
            return f"needs the Python module {module} (pip install {module.replace('_', '-')})"
        return None
    if _program(need) is None:
        return f"needs {need} (not on PATH)"
    return None


def _program(name: str) -> str | None:
    """``name`` resolved on PATH, or in the sbin folders (nginx lives in /usr/sbin, often not on a user's PATH)."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


@dataclass
class _Running:
    sidecar: Sidecar
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    container: Any = None
    stopped: bool = False


class SidecarSet:
    """The sidecars of one pattern for one validation run; see the module docstring."""

    def __init__(
        self,
        pattern: Pattern,
        scratch: Path,
        *,
        app_port: int,
        python: str = sys.executable,
        image_base: str | None = None,
    ) -> None:
        self.pattern = pattern
        self.scratch = scratch
        self.image_base = image_base
        taken = {app_port}
        self.ports: dict[str, int] = {}
        for sidecar in pattern.sidecars:  # distinct ports: each pick avoids the app's and the ones before
            self.ports[sidecar.name] = pick_port("127.0.0.1", taken)
            taken.add(self.ports[sidecar.name])
        self.values: dict[str, str] = {
            "app_port": str(app_port),
            "app_url": f"http://127.0.0.1:{app_port}",
            "python": python,
            "server_python": sys.executable,
            "pattern_dir": str(pattern.folder),
            "base_path": pattern.meta.base_path,
        }
        for name, port in self.ports.items():
            self.values[f"{name}.port"] = str(port)
            self.values[f"{name}.url"] = f"http://127.0.0.1:{port}"
        self.urls = {name: self.values[f"{name}.url"] for name in self.ports}
        self.app_env: dict[str, str] = {}
        for sidecar in pattern.sidecars:
            own = self._values_for(sidecar)
            self.app_env.update({key: render(value, own) for key, value in sidecar.app_env.items()})
        self._running: list[_Running] = []
        self._lock = threading.Lock()

    def _values_for(self, sidecar: Sidecar) -> dict[str, str]:
        return {
            **self.values,
            "port": self.values[f"{sidecar.name}.port"],
            "url": self.values[f"{sidecar.name}.url"],
            "dir": str(self.scratch / sidecar.name),
        }

    def check_needs(self) -> None:
        """Raise SidecarMissing naming the first unmet need (each checked once)."""
        for need in dict.fromkeys(need for sidecar in self.pattern.sidecars for need in sidecar.needs):
            reason = missing_need(need)
            if reason is not None:
                raise SidecarMissing(reason)

    def start(self) -> None:
        """Start each sidecar in file order and wait until it is ready; on failure stop what started and raise."""
        try:
            for sidecar in self.pattern.sidecars:
                self._start_one(sidecar)
        except BaseException:
            self.stop()
            raise

    def _start_one(self, sidecar: Sidecar) -> None:
        values = self._values_for(sidecar)
        folder = Path(values["dir"])
        folder.mkdir(parents=True, exist_ok=True)
        for name in sidecar.templates:
            text = (self.pattern.folder / name).read_text("utf-8")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(text, values), encoding="utf-8")
        running = _Running(sidecar, self.scratch / f"{sidecar.name}.log")
        with self._lock:
            self._running.append(running)
        env = {key: render(value, values) for key, value in sidecar.env.items()}
        if sidecar.docker is not None:
            running.container = self._run_container(sidecar, env, running.log_path)
        else:
            command = [render(part, values) for part in sidecar.command]
            command[0] = _program(command[0]) or command[0]
            with running.log_path.open("ab") as out:
                running.process = subprocess.Popen(
                    dies_with_us(command),  # a sidecar dies with the validating process, even when it is killed
                    cwd=folder,
                    env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        self._wait_ready(running, self.ports[sidecar.name])

    def _run_container(self, sidecar: Sidecar, env: dict[str, str], log_path: Path) -> Any:
        import docker

        from st_patterns.instances.backends.image import ensure_image
        from st_patterns.settings import default_image_base

        assert sidecar.docker is not None
        client = connect()  # the docker sandbox's client: pinged, with its deadline for slower calls
        base = ensure_image(client, self.image_base or default_image_base())
        digest = hashlib.sha256(base.encode())
        for path in sorted(p for p in self.pattern.folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(self.pattern.folder).as_posix().encode() + b"\0" + path.read_bytes())
        tag = f"st-patterns-sidecar-{self.pattern.id.replace('_', '-')}:{digest.hexdigest()[:12]}"
        try:
            client.images.get(tag)
        except docker.errors.ImageNotFound:
            args = {"BASE": base, **sidecar.docker.build_args}
            try:
                client.images.build(
                    path=str(self.pattern.folder), dockerfile=sidecar.docker.dockerfile, tag=tag, buildargs=args,
                    rm=True, forcerm=True, labels={_DOCKER_LABEL: self.pattern.id},
                )  # fmt: skip
            except docker.errors.BuildError as exc:
                tail = "".join(str(chunk.get("stream", "")) for chunk in exc.build_log)[-_LOG_TAIL_BYTES:]
                log_path.write_text(tail, encoding="utf-8")
                raise LaunchFailed(sidecar.name, f"docker build failed: {exc}", log_tail=tail) from exc
        return client.containers.run(
            tag,
            detach=True,
            environment=env,
            ports={f"{sidecar.docker.port}/tcp": ("127.0.0.1", self.ports[sidecar.name])},
            labels={_DOCKER_LABEL: self.pattern.id},
        )

    def _alive(self, running: _Running) -> bool:
        if running.process is not None:
            return running.process.poll() is None
        running.container.reload()
        return running.container.status in ("created", "running")

    def _wait_ready(self, running: _Running, port: int) -> None:
        sidecar = running.sidecar
        deadline = time.monotonic() + sidecar.timeout
        while time.monotonic() < deadline:
            if not self._alive(running):
                raise LaunchFailed(
                    sidecar.name, "the sidecar exited before it was ready", log_tail=self.log(sidecar.name)
                )
            if _answers(port, sidecar.ready):
                return
            time.sleep(0.05)
        raise LaunchFailed(
            sidecar.name, f"not ready within {sidecar.timeout:.0f} s ({sidecar.ready})", log_tail=self.log(sidecar.name)
        )

    def log(self, name: str) -> str:
        """What the sidecar printed so far (a running container's log is read from the daemon)."""
        for running in self._running:
            if running.sidecar.name != name:
                continue
            if running.container is not None and not running.stopped:
                try:
                    return running.container.logs().decode("utf-8", "replace")
                except Exception:  # the SDK raises several kinds; fall back to the log saved at stop
                    pass
            try:
                return running.log_path.read_bytes()[-256 * 1024 :].decode("utf-8", "replace")
            except OSError:
                return ""
        return ""

    def stop(self) -> None:
        """Stop every sidecar started, the last first (SIGKILL after a grace; containers removed). Idempotent."""
        with self._lock:
            pending = [item for item in self._running if not item.stopped]
            for item in pending:
                item.stopped = True
        for item in reversed(pending):
            if item.process is not None:
                _stop_process(item.process)
            elif item.container is not None:
                _stop_container(item.container, item.log_path)


def _answers(port: int, ready: str) -> bool:
    if ready == "tcp":
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False
    try:
        return httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1.0).status_code < 500
    except httpx.HTTPError:
        return False


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(2.0)


def _stop_container(container: Any, log_path: Path) -> None:
    try:
        container.stop(timeout=int(STOP_GRACE))
        log_path.write_bytes(container.logs())
    except Exception:  # already gone: nothing to save
        pass
    try:
        container.remove(force=True)
    except Exception:  # already removed
        pass
