"""Memory, CPU and process-count limits for a bubblewrap sandbox, through a cgroup made for it.

Works on cgroup v1 (one folder per controller, as on hybrid hosts) and v2 (one folder, controllers enabled in the
parent). Needs write access to the cgroup tree (root); ``CgroupLimits.available()`` says whether it has it.

Example::

    group = CgroupLimits.create("bwrap-3f9a", Limits(memory_mb=512, cpus=1, pids=256))
    group.add(pid)          # before the sandboxed program starts: its children inherit the group
    ...
    group.remove()          # once every process in it has exited
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from st_patterns.instances.backends.base import Limits

ROOT = Path("/sys/fs/cgroup")
PARENT = "st-patterns"
CPU_PERIOD_US = 100_000
V1_CONTROLLERS = ("memory", "pids", "cpu")


def _is_v2() -> bool:
    return (ROOT / "cgroup.controllers").is_file()


class CgroupLimits:
    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    @staticmethod
    def available() -> str | None:
        """None when limits can be enforced here, else the reason they cannot."""
        if _is_v2():
            needed = {"memory", "pids", "cpu"}
            have = set((ROOT / "cgroup.controllers").read_text().split())
            if not needed <= have:
                return f"cgroup v2 lacks controllers {sorted(needed - have)}"
            return None if os.access(ROOT, os.W_OK) else "no write access to /sys/fs/cgroup (run as root)"
        missing = [c for c in V1_CONTROLLERS if not (ROOT / c).is_dir()]
        if missing:
            return f"cgroup v1 controllers missing: {missing}"
        if not all(os.access(ROOT / c, os.W_OK) for c in V1_CONTROLLERS):
            return "no write access to /sys/fs/cgroup (run as root)"
        return None

    @classmethod
    def create(cls, name: str, limits: Limits) -> CgroupLimits:
        """Make the group and write its limits; raises OSError when the cgroup tree refuses."""
        if _is_v2():
            parent = ROOT / PARENT
            parent.mkdir(exist_ok=True)
            with contextlib.suppress(OSError):  # already enabled, or enabled by whoever made the parent
                (ROOT / "cgroup.subtree_control").write_text("+memory +pids +cpu")
            with contextlib.suppress(OSError):
                (parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
            folder = parent / name
            folder.mkdir()
            group = cls([folder])
            group._write(folder / "memory.max", str(limits.memory_mb << 20))
            group._write(folder / "memory.swap.max", "0", optional=True)
            group._write(folder / "pids.max", str(limits.pids))
            group._write(folder / "cpu.max", f"{int(limits.cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
            return group
        folders = []
        for controller in V1_CONTROLLERS:
            folder = ROOT / controller / PARENT / name
            folder.mkdir(parents=True)
            folders.append(folder)
        group = cls(folders)
        memory, pids, cpu = folders
        group._write(memory / "memory.limit_in_bytes", str(limits.memory_mb << 20))
        group._write(memory / "memory.memsw.limit_in_bytes", str(limits.memory_mb << 20), optional=True)
        group._write(pids / "pids.max", str(limits.pids))
        group._write(cpu / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        group._write(cpu / "cpu.cfs_quota_us", str(int(limits.cpus * CPU_PERIOD_US)))
        return group

    def _write(self, path: Path, value: str, optional: bool = False) -> None:
        try:
            path.write_text(value)
        except OSError:
            if not optional:
                self.remove()
                raise

    def add(self, pid: int) -> None:
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        """Did the kernel kill something in this group for exceeding its memory limit?"""
        for folder in self.folders:
            for name in ("memory.events", "memory.oom_control"):
                with contextlib.suppress(OSError):
                    for line in (folder / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and value.strip() not in ("", "0"):
                            return True
        return False

    @staticmethod
    def sweep(prefix: str) -> int:
        """rmdir every empty group named ``prefix*`` (a dead server's leftovers); live ones refuse. Returns removed."""
        parents = [ROOT / PARENT] if _is_v2() else [ROOT / c / PARENT for c in V1_CONTROLLERS]
        removed = 0
        for parent in parents:
            for folder in parent.glob(f"{prefix}*") if parent.is_dir() else []:
                with contextlib.suppress(OSError):
                    folder.rmdir()
                    removed += 1
        return removed

    def remove(self, wait: float = 5.0) -> None:
        """rmdir each folder (retrying briefly: the kernel frees a group a moment after its last process)."""
        deadline = time.monotonic() + wait
        for folder in self.folders:
            while folder.exists():
                try:
                    folder.rmdir()
                except OSError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.02)
