"""Docker (or Podman) sandboxes: one container per app, with no network, a read-only root and hard limits.

The container runs the same agent as bubblewrap: ``--network none`` (nothing to connect to), ``--read-only`` with a
private ``/tmp`` tmpfs, uid 10001, ``--cap-drop ALL``, ``no-new-privileges``, memory/CPU/pids limits, and
read-only binds of st-patterns' own code and the app's folder. The server listens on a unix socket in a folder
bound into the container; the agent connects to it and receives the app's listening socket (bound on this host's
127.0.0.1) and log file from there, so the app answers on loopback without any published port.

The engine is whatever ``DOCKER_HOST`` names (default: the local socket); it must run on this machine, because the
app folder and the control socket are shared through bind mounts. Containers carry the owning server's pid: a
watchdog process removes them if the server dies, and a new server removes a dead server's leftovers.

Example::

    factory = DockerFactory(state_dir / "sandboxes", Limits())
    backend = SandboxBackend(factory)
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

import st_patterns
from st_patterns.instances.backends.agent_link import AgentError, AgentLink
from st_patterns.instances.backends.base import Limits, SandboxInfo, SandboxName
from st_patterns.instances.backends.image import DEFAULT_BASE, ensure_image
from st_patterns.instances.backends.sandboxed import APP_DIR, SANDBOX_TMP, owned_root

log = logging.getLogger(__name__)

SANDBOX_USER = "10001:10001"
OWNER_LABEL = "st-patterns.owner"
CODE_DIR = "/opt/st-patterns"
CONTROL_DIR = "/run/st-patterns"
PING_TIMEOUT = 3.0
OPERATION_TIMEOUT = 120  # seconds for the engine's other answers (create, start, stop, remove)
ACCEPT_POLL = 0.25

_WATCHDOG = """
import sys
import docker
sys.stdin.buffer.read()  # returns when the server exits, however it exits
client = docker.from_env()
for container in client.containers.list(all=True, filters={"label": sys.argv[1]}):
    try:
        container.remove(force=True)
    except Exception:
        pass
"""


def owner_id() -> str:
    proc = psutil.Process()
    return f"{proc.pid}:{proc.create_time():.3f}"


def connect(timeout: float = PING_TIMEOUT) -> Any:
    """A docker SDK client for ``DOCKER_HOST`` that answered a ping; raises OSError with the reason otherwise."""
    try:
        import docker
    except ImportError as exc:
        raise OSError("the docker SDK is not installed (pip install docker)") from exc
    try:
        client = docker.from_env(timeout=int(max(1, timeout)))
        client.ping()
        # the ping is quick or the engine is not there; creating and starting a container on a busy machine (or an
        # engine's first container) can take far longer than the ping's deadline
        client.api.timeout = OPERATION_TIMEOUT
    except Exception as exc:
        where = os.environ.get("DOCKER_HOST", "the local socket")
        raise OSError(f"no Docker/Podman engine answers at {where}: {type(exc).__name__}: {exc}") from exc
    return client


def probe() -> str | None:
    try:
        connect().close()
    except OSError as exc:
        return str(exc)
    return None


def reap_dead_owners(client: Any) -> list[str]:
    """Remove containers whose owning server is gone (it died before its watchdog could act); return their ids."""
    removed = []
    for container in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
        pid_text, _, created = container.labels.get(OWNER_LABEL, "").partition(":")
        try:
            alive = abs(psutil.Process(int(pid_text)).create_time() - float(created)) < 1.0
        except (ValueError, psutil.Error):
            alive = False
        if not alive:
            with contextlib.suppress(Exception):
                container.remove(force=True)
                removed.append(container.short_id)
    return removed


class DockerSandbox:
    """One container running the agent; see the module docstring."""

    def __init__(self, factory: DockerFactory) -> None:
        self.name = f"docker-{secrets.token_hex(4)}"
        self.factory = factory
        self.dir = factory.root / self.name
        self.app_dir = self.dir / "app"
        self.app_dir.mkdir(parents=True, mode=0o755)
        # a unix socket path has at most 107 bytes: the control folder lives under /tmp, not the state dir
        control = self._control = Path(tempfile.mkdtemp(prefix="stp-", dir="/tmp" if os.path.isdir("/tmp") else None))
        control.chmod(0o755)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(control / "agent.sock"))
        os.chmod(control / "agent.sock", 0o666)
        self._listener.listen(1)
        self.link = AgentLink(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        limits = factory.limits
        agent = ["python", "-P", "-m", "st_patterns.instances.sandbox_agent"]
        command = [*agent, "--control-socket", f"{CONTROL_DIR}/agent.sock", "--preload", ",".join(factory.preload)]
        try:
            self.container = factory.client.containers.run(
                factory.image,
                command=command,
                name=f"st-patterns-{self.name}",
                detach=True,
                init=True,
                user=SANDBOX_USER,
                network_mode="none",
                read_only=True,
                tmpfs={SANDBOX_TMP: f"rw,nosuid,nodev,size={limits.memory_mb}m,mode=1777"},
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                mem_limit=f"{limits.memory_mb}m",
                memswap_limit=f"{limits.memory_mb}m",
                nano_cpus=int(limits.cpus * 1e9),
                pids_limit=limits.pids,
                environment={"PYTHONPATH": CODE_DIR, "HOME": SANDBOX_TMP, "TMPDIR": SANDBOX_TMP},
                volumes={
                    factory.code_dir: {"bind": f"{CODE_DIR}/st_patterns", "mode": "ro"},
                    str(self.app_dir): {"bind": APP_DIR, "mode": "ro"},
                    str(control): {"bind": CONTROL_DIR, "mode": "ro"},
                },
                labels={OWNER_LABEL: factory.owner, "st-patterns.sandbox": self.name},
                working_dir=SANDBOX_TMP,
            )
        except Exception as exc:
            self.cleanup()
            raise OSError(f"the engine refused the container: {exc}") from exc

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._listener.settimeout(ACCEPT_POLL)
        while True:
            try:
                conn, _ = self._listener.accept()
                break
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise AgentError(f"the container's agent did not connect within {timeout:.0f} s") from None
                self.container.reload()
                if self.container.status in ("exited", "dead"):
                    tail = self.container.logs(tail=20).decode(errors="replace").strip()
                    raise AgentError(f"the container exited before its agent connected: {tail[-800:]}") from None
        self.link = AgentLink(conn)
        self.link.wait_ready(max(1.0, deadline - time.monotonic()))

    def app_pid(self) -> int | None:
        """The agent as this host sees it (the container's init's child), when the engine runs here."""
        with contextlib.suppress(Exception):
            self.container.reload()
            pid = int(self.container.attrs["State"]["Pid"])
            with contextlib.suppress(psutil.Error):
                kids = psutil.Process(pid).children()
                return kids[0].pid if kids else pid
            return pid
        return None

    def signal(self, sig: int) -> bool:
        try:
            self.container.kill(signal=int(sig))
        except Exception:
            return False
        return True

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.container.kill()

    def wait_exit(self) -> int | None:
        try:
            return int(self.container.wait()["StatusCode"])
        except Exception:
            return None

    def cleanup(self) -> None:
        self.link.close()
        with contextlib.suppress(OSError):
            self._listener.close()
        container = getattr(self, "container", None)
        if container is not None:
            with contextlib.suppress(Exception):
                container.remove(force=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self._control, ignore_errors=True)


class DockerFactory:
    """Builds containers on the engine ``DOCKER_HOST`` names; raises OSError at once when none answers."""

    name: SandboxName = "docker"

    def __init__(
        self, root: Path, limits: Limits, preload: list[str] | None = None, base_image: str = DEFAULT_BASE
    ) -> None:
        self.client = connect()
        self.root = owned_root(Path(root))
        self.limits = limits
        self.preload = sorted(set(preload or ()))
        self.base_image = base_image
        self.owner = owner_id()
        self.code_dir = str(Path(st_patterns.__file__).resolve().parent)  # only st_patterns, not its neighbours
        self.reaped = reap_dead_owners(self.client)
        self._image: str | None = None
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, f"{OWNER_LABEL}={self.owner}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a SIGKILLed server's process group, to clean up after it
        )

    @property
    def image(self) -> str:
        if self._image is None:
            self._image = ensure_image(self.client, self.base_image)
        return self._image

    def info(self) -> SandboxInfo:
        where = os.environ.get("DOCKER_HOST", "local engine")
        return SandboxInfo(
            name="docker",
            contained=True,
            limits=self.limits,
            detail=f"container on {where}: no network, read-only root, private /tmp, uid 10001, no capabilities, "
            f"limits {self.limits.text()}",
        )

    def create(self) -> DockerSandbox:
        return DockerSandbox(self)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._watchdog.stdin is not None:
                self._watchdog.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._watchdog.wait(10)
        with contextlib.suppress(Exception):
            self.client.close()
        shutil.rmtree(self.root, ignore_errors=True)
