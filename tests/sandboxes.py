"""Test support for the sandbox tests: build a real backend of each kind, and find what a sandbox leaves behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from st_patterns.instances.backends import bwrap, docker
from st_patterns.instances.backends.base import Limits
from st_patterns.instances.backends.cgroups import PARENT as CGROUP_PARENT
from st_patterns.instances.backends.cgroups import ROOT as CGROUP_ROOT
from st_patterns.instances.backends.sandboxed import SandboxBackend
from st_patterns.settings import default_image_base

KINDS = ("bwrap", "docker")
SANDBOX_UID = bwrap.SANDBOX_UID


def unavailable(kind: str) -> str | None:
    return bwrap.probe() if kind == "bwrap" else docker.probe()


def require(kind: str) -> None:
    """Skip with the reason when this machine lacks the sandbox (CI installs both, so nothing skips there)."""
    problem = unavailable(kind)
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{kind} must work in CI: {problem}")
        pytest.skip(f"{kind} sandbox unavailable here: {problem}")


def make_backend(kind: str, root: Path, limits: Limits | None = None, pool_size: int = 0) -> SandboxBackend:
    limits = limits or Limits()
    if kind == "bwrap":
        return SandboxBackend(bwrap.BwrapFactory(root / "bwrap", limits), pool_size=pool_size)
    factory = docker.DockerFactory(root / "docker", limits, base_image=default_image_base())
    return SandboxBackend(factory, pool_size=pool_size)


def sandbox_processes() -> list[psutil.Process]:
    """Processes running as the sandbox uid (bubblewrap and the container both use it)."""
    found = []
    for proc in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["uids"] and proc.info["uids"].real == SANDBOX_UID:
                found.append(proc)
    return found


def cgroups_left() -> list[str]:
    left = []
    for controller in ("memory", "pids", "cpu", ""):
        folder = CGROUP_ROOT / controller / CGROUP_PARENT if controller else CGROUP_ROOT / CGROUP_PARENT
        if folder.is_dir():
            left += [str(p) for p in folder.iterdir() if p.is_dir()]
    return left


def containers_left(owner: str | None = None) -> list[str]:
    if docker.probe() is not None:
        return []
    client = docker.connect()
    label = f"{docker.OWNER_LABEL}={owner}" if owner else docker.OWNER_LABEL
    try:
        # sparse: no inspect per container, so one removed between listing and inspecting cannot raise NotFound
        listed = client.containers.list(all=True, sparse=True, filters={"label": label})
        return [(c.attrs.get("Names") or [c.id])[0].lstrip("/") for c in listed]
    finally:
        client.close()


def wait_until(check: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return bool(check())  # type: ignore[operator]


@contextlib.contextmanager
def second_dockerd(tmp: Path, image: str) -> Iterator[str]:
    """A second Docker daemon on its own socket and data root, with ``image`` loaded; yields its DOCKER_HOST."""
    tmp.mkdir(parents=True, exist_ok=True)
    short = Path(tempfile.mkdtemp(prefix="stp-engine-", dir="/tmp"))  # unix socket paths have at most 107 bytes
    sock = short / "docker.sock"
    log = (tmp / "dockerd.log").open("wb")
    # Its own bridge: with --bridge none dockerd deletes the host's docker0 at start-up, which breaks the first
    # daemon's containers for the rest of the run.
    bridge = f"stpbr{os.getpid() % 100000}"
    subprocess.run(["ip", "link", "add", bridge, "type", "bridge"], check=True, capture_output=True)
    subprocess.run(["ip", "addr", "add", "10.251.77.1/24", "dev", bridge], check=True, capture_output=True)
    subprocess.run(["ip", "link", "set", bridge, "up"], check=True, capture_output=True)
    cmd = ["dockerd", "--host", f"unix://{sock}", "--data-root", str(tmp / "data"), "--exec-root", str(short / "x")]
    cmd += ["--pidfile", str(short / "dockerd.pid"), "--bridge", bridge, "--iptables=false", "--ip-masq=false"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    host = f"unix://{sock}"
    try:
        env = {**os.environ, "DOCKER_HOST": host}
        ready = wait_until(lambda: subprocess.run(["docker", "info"], env=env, capture_output=True).returncode == 0, 30)
        assert ready, (tmp / "dockerd.log").read_text()[-2000:]
        save = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        loaded = subprocess.run(["docker", "load"], stdin=save.stdout, env=env, capture_output=True, timeout=300)
        save.wait(60)
        assert loaded.returncode == 0, loaded.stderr
        yield host
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(short, ignore_errors=True)
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True)
