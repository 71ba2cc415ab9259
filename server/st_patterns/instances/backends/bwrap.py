"""Bubblewrap sandboxes: private namespaces, a read-only view of the runtime, no network, a uid of its own.

What the app sees: ``/usr`` and ``/etc`` and the Python runtime read-only, its own files at ``/app`` read-only, a
private ``/tmp`` (the only writable place), its own ``/proc`` and ``/dev``. Not the home directory, the server's
state, other instances, the Docker socket or anything else. It has its own network namespace with nothing in it,
so it can neither connect anywhere (the host's loopback included) nor be reached, except through the listening
socket the server binds on 127.0.0.1 and passes in. Run by root, bubblewrap sets the namespaces up and ``setpriv``
then drops to ``SANDBOX_UID`` with no capabilities and no-new-privileges, and a cgroup enforces the limits; run by
another user, bubblewrap maps that user in a user namespace and the limits are not enforced (``info`` says so).

Example::

    factory = BwrapFactory(state_dir / "sandboxes", Limits())
    backend = SandboxBackend(factory)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import site
import socket
import subprocess
import sys
from pathlib import Path

import psutil

import st_patterns
from st_patterns.instances.backends.agent_link import AgentError, AgentLink
from st_patterns.instances.backends.base import Limits, SandboxInfo, SandboxName
from st_patterns.instances.backends.cgroups import CgroupLimits
from st_patterns.instances.backends.sandboxed import APP_DIR, SANDBOX_TMP, owned_root
from st_patterns.instances.backends.spawner import Spawner

SANDBOX_UID = 10001  # no account on the host owns files under this uid
SETPRIV = "/usr/bin/setpriv"
STATUS_TIMEOUT = 10.0
DIR_MODE = 0o711  # intermediate folders: traversable, not listable


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def probe() -> str | None:
    """None when bubblewrap can build a sandbox here, else why not (missing, or namespaces refused)."""
    exe = bwrap_path()
    if exe is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    root = os.geteuid() == 0
    cmd = [exe, "--unshare-all", "--ro-bind", "/", "/", "--die-with-parent"]
    cmd += [] if root else ["--unshare-user"]
    try:
        done = subprocess.run([*cmd, "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to run: {exc}"
    if done.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {done.stderr.decode(errors='replace').strip()[:300]}"
    if root and not os.access(SETPRIV, os.X_OK):
        return f"{SETPRIV} is missing (util-linux), needed to drop root inside the sandbox"
    return None


def runtime_paths() -> list[Path]:
    """What the agent needs to run: the interpreter, the virtualenv, st_patterns, and every import root outside them.

    Import roots are the site folders and ``PYTHONPATH``; never the script's folder or anything under /tmp.
    """
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix), Path(st_patterns.__file__).resolve().parent.parent}
    extra = [*site.getsitepackages(), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    extra += [entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages"))]
    for entry in extra:
        path = Path(entry) if entry else None
        if path is not None and path.is_absolute() and path.is_dir():
            roots.add(path)
    system = (Path("/usr"), Path("/etc"))  # bound already; a venv under /tmp is bound over the private /tmp
    never = (Path("/"), Path("/tmp"), Path.home())  # a bind of these would hand the whole folder to the sandbox
    kept = sorted(r for r in roots if r not in never and not any(r == s or r.is_relative_to(s) for s in system))
    return [p for p in kept if not any(p != q and p.is_relative_to(q) for q in kept)]


def _mount_args(binds: list[Path]) -> list[str]:
    """--ro-bind each path at the same place, with every folder above it made traversable (bwrap makes them 0700)."""
    args: list[str] = []
    made: set[Path] = {Path("/")}
    for path in binds:
        for parent in reversed(path.parents):
            if parent not in made and parent != Path("/tmp"):
                args += ["--perms", f"{DIR_MODE:o}", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(path), str(path)]
    return args


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    return args


class BwrapSandbox:
    """One bubblewrap tree running the agent; see the module docstring."""

    def __init__(self, factory: BwrapFactory) -> None:
        self.name = f"bwrap-{secrets.token_hex(4)}"
        self.factory = factory
        self.dir = factory.root / self.name
        self.app_dir = self.dir / "app"
        self.app_dir.mkdir(parents=True, mode=0o755)
        self.cgroup: CgroupLimits | None = None
        self.init_pid: int | None = None
        self._agent_pid: int | None = None
        self._status_rest = b""
        server_end, agent_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.link = AgentLink(server_end)
        status_r, status_w = os.pipe()
        block_r, block_w = os.pipe()
        try:
            cmd = factory.command(self, agent_end.fileno(), status_w, block_r)
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
            with (self.dir / "agent.log").open("ab") as out:
                self.proc: subprocess.Popen[bytes] = factory.spawner.call(
                    lambda: subprocess.Popen(
                        cmd,
                        pass_fds=(agent_end.fileno(), status_w, block_r),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,
                    )
                )
        finally:
            agent_end.close()
            os.close(status_w)
            os.close(block_r)
        self._status_r = status_r
        try:
            self.init_pid = self._read_child_pid(status_r)
            if factory.cgroups_ok:
                self.cgroup = CgroupLimits.create(self.name, factory.limits)
                factory.groups.add(self.cgroup)
                for pid in [self.init_pid, *self._descendants(self.init_pid)]:
                    self.cgroup.add(pid)
            os.write(block_w, b"go")
        except BaseException:
            self.kill()
            self.cleanup()
            raise
        finally:
            os.close(block_w)

    def _read_child_pid(self, status_r: int) -> int:
        data = b""
        while b"}" not in data:  # bwrap writes one JSON object with the pid now, one with the exit code at the end
            ready, _, _ = select.select([status_r], [], [], STATUS_TIMEOUT)
            chunk = os.read(status_r, 4096) if ready else b""
            if not chunk:
                log_text = (self.dir / "agent.log").read_text(errors="replace")[-500:]
                raise OSError(f"bubblewrap did not start a sandbox: {log_text.strip() or 'no output'}")
            data += chunk
        end = data.index(b"}") + 1
        self._status_rest = data[end:]
        return int(json.loads(data[:end])["child-pid"])

    @staticmethod
    def _descendants(pid: int) -> list[int]:
        with contextlib.suppress(psutil.Error):
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        return []

    def wait_ready(self, timeout: float) -> None:
        try:
            self.link.wait_ready(timeout)
        except AgentError as exc:  # the log goes with the sandbox folder: say here what it said
            tail = (self.dir / "agent.log").read_text(errors="replace")[-1500:].strip()
            raise AgentError(f"{exc}: {tail or 'it wrote nothing'}") from exc

    def app_pid(self) -> int | None:
        """The agent (now the app) as the host sees it: the one child of the sandbox's init."""
        if self._agent_pid is None and self.init_pid is not None:
            kids = self._descendants(self.init_pid)
            self._agent_pid = kids[0] if kids else None
        return self._agent_pid

    def signal(self, sig: int) -> bool:
        pid = self.app_pid()
        if pid is None:
            return False
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the sandbox's init: the kernel then kills everything in its pid namespace."""
        for pid in (self.init_pid, getattr(self, "proc", None) and self.proc.pid):
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def wait_exit(self) -> int | None:
        """bwrap's own code, or better the app's as bwrap reports it (128+N when killed by signal N)."""
        code: int | None = self.proc.wait()
        with contextlib.suppress(OSError, ValueError):
            rest = self._status_rest + os.read(self._status_r, 65536)
            for chunk in rest.decode().replace("}", "}\n").splitlines():
                if chunk.strip():
                    code = json.loads(chunk).get("exit-code", code)
        return code

    def cleanup(self) -> None:
        self.link.close()
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._status_r)
            del self._status_r
        if hasattr(self, "proc") and self.proc.poll() is None:
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        if self.cgroup is not None:
            self.cgroup.remove()
            if not any(folder.exists() for folder in self.cgroup.folders):
                self.factory.groups.discard(self.cgroup)
        shutil.rmtree(self.dir, ignore_errors=True)


class BwrapFactory:
    """Builds bubblewrap sandboxes under ``root`` (a folder no sandbox sees); ``info`` says what is enforced."""

    name: SandboxName = "bwrap"

    def __init__(self, root: Path, limits: Limits, preload: list[str] | None = None) -> None:
        self.root = owned_root(Path(root))
        self.limits = limits
        self.preload = sorted(set(preload or ()))
        self.exe = bwrap_path() or "bwrap"
        self.as_root = os.geteuid() == 0
        self.cgroup_problem = CgroupLimits.available()
        self.cgroups_ok = self.cgroup_problem is None
        self.binds = runtime_paths()
        self.spawner = Spawner()
        self.groups: set[CgroupLimits] = set()
        if self.cgroups_ok:
            CgroupLimits.sweep("bwrap-")  # empty groups a killed server left behind; live ones refuse rmdir

    def info(self) -> SandboxInfo:
        if self.cgroups_ok:
            return SandboxInfo(
                name="bwrap",
                contained=True,
                limits=self.limits,
                detail=f"bubblewrap: read-only runtime, private /tmp, no network, uid {self._uid()}, "
                f"limits {self.limits.text()}",
            )
        return SandboxInfo(
            name="bwrap",
            contained=True,
            limits=None,
            detail=f"bubblewrap: read-only runtime, private /tmp, no network, uid {self._uid()}; "
            f"limits NOT enforced ({self.cgroup_problem})",
        )

    def _uid(self) -> int:
        return SANDBOX_UID if self.as_root else os.geteuid()

    def create(self) -> BwrapSandbox:
        return BwrapSandbox(self)

    def close(self) -> None:
        """Stop the spawner and remove any group a sandbox left while its last process was still exiting."""
        self.spawner.stop()
        for group in list(self.groups):
            group.remove(wait=5.0)
        self.groups.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def command(self, sandbox: BwrapSandbox, control_fd: int, status_fd: int, block_fd: int) -> list[str]:
        cmd = [self.exe, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"]
        cmd += ["--die-with-parent", "--new-session", "--json-status-fd", str(status_fd), "--block-fd", str(block_fd)]
        if not self.as_root:
            cmd += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
        cmd += _system_args()
        cmd += ["--dev", "/dev", "--proc", "/proc"]
        cmd += ["--perms", "1777", "--size", str(self.limits.memory_mb << 20), "--tmpfs", SANDBOX_TMP]
        cmd += _mount_args(self.binds)
        cmd += ["--ro-bind", str(sandbox.app_dir), APP_DIR]
        package_root = str(Path(st_patterns.__file__).resolve().parent.parent)
        env = {"HOME": SANDBOX_TMP, "TMPDIR": SANDBOX_TMP, "PYTHONPATH": package_root, "PYTHONDONTWRITEBYTECODE": "1"}
        env |= {"PYTHONUNBUFFERED": "1", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        cmd += ["--clearenv"] + [arg for key, value in env.items() for arg in ("--setenv", key, value)]
        cmd += ["--chdir", SANDBOX_TMP, "--"]
        if self.as_root:
            cmd += [SETPRIV, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups"]
            cmd += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        cmd += [sys.executable, "-P", "-m", "st_patterns.instances.sandbox_agent", "--control-fd", str(control_fd)]
        cmd += ["--preload", ",".join(self.preload)]
        return cmd
