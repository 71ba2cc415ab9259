"""One cached Python environment per Streamlit release, built with uv (pip when uv is missing).

An environment holds ``streamlit==V``, uvicorn and what the patterns need (their ``requirements``), resolved for
that release. It is built once under the cache folder and reused; a marker file written last says it is complete,
so an interrupted build is rebuilt rather than half-used. The release this server itself runs needs no
environment: its own interpreter serves it.

Example::

    envs = Environments(cache_dir)
    env = envs.ensure("1.58.0", ["fastapi", "fastmcp"])   # Env(python=.../bin/python, built=True, seconds=2.1)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import st_patterns
from st_patterns.catalog.releases import pins_for
from st_patterns.errors import StPatternsError

BASE_REQUIREMENTS = ("uvicorn", "websockets")
MARKER = "st-patterns-env.json"
BUILD_TIMEOUT = 900.0
BUILD_FORMAT = "2"  # bump when how environments are built changes: cached ones are then rebuilt


class EnvironmentFailed(StPatternsError):
    """An environment for one release could not be built (resolution failed, no network, no disk)."""


@dataclass(frozen=True)
class Env:
    version: str
    python: str  # the interpreter that serves apps on this release
    package_root: str | None  # where its fork server finds st_patterns.instances.forkserver (None: our own)
    built: bool  # built now (False: reused from the cache, or this server's own interpreter)
    seconds: float
    tool: str  # "uv", "pip" or "host"
    packages: dict[str, str]  # name -> version actually installed


def current_streamlit() -> str:
    from importlib.metadata import version

    return version("streamlit")


def _host_packages() -> dict[str, str]:
    from importlib.metadata import distributions

    return {d.metadata["Name"].lower(): d.version for d in distributions()}


def default_cache_dir() -> Path:
    override = os.environ.get("ST_PATTERNS_ENV_CACHE")
    if override:
        return Path(override).resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "st-patterns" / "envs"


def uv_binary() -> str | None:
    """The uv that came with st-patterns (PyPI's ``uv``), else one on PATH."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


class Environments:
    """Builds and caches per-release environments under ``cache_dir`` (safe across processes: a file lock)."""

    def __init__(self, cache_dir: Path | None = None, *, use_uv: bool = True) -> None:
        self.cache_dir = (cache_dir or default_cache_dir()).resolve()
        self.use_uv = use_uv

    def requirements(self, version: str, extra: Sequence[str] = ()) -> list[str]:
        """What the environment for ``version`` installs: Streamlit, the server parts, ``extra``, the pins."""
        return [f"streamlit=={version}", *BASE_REQUIREMENTS, *extra, *(req for req, _ in pins_for(version))]

    def folder(self, version: str, extra: Sequence[str] = ()) -> Path:
        """One folder per release, Python and requirement set (changing what is installed builds anew)."""
        tag = f"py{sys.version_info.major}{sys.version_info.minor}"
        recipe = "\n".join([BUILD_FORMAT, *self.requirements(version, extra)])
        digest = hashlib.sha256(recipe.encode()).hexdigest()[:8]
        return self.cache_dir / f"streamlit-{version}-{tag}-{digest}"

    def ensure(self, version: str, requirements: Sequence[str] = ()) -> Env:
        """The environment for ``version``, built if it is not cached yet; raises EnvironmentFailed."""
        if version == current_streamlit():
            return Env(version, sys.executable, None, False, 0.0, "host", _host_packages())
        folder = self.folder(version, requirements)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cache_dir / f".{folder.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same release
            marker = folder / MARKER
            if marker.is_file():
                return self._env(version, folder, built=False, seconds=0.0, info=json.loads(marker.read_text()))
            started = time.perf_counter()
            tool = self._build(version, folder, self.requirements(version, requirements))
            packages = self._freeze(folder, tool)
            _write_shim(folder / "shim")
            info = {"version": version, "tool": tool, "packages": packages, "requirements": list(requirements)}
            marker.write_text(json.dumps(info, indent=1))
            return self._env(version, folder, built=True, seconds=time.perf_counter() - started, info=info)

    def _env(self, version: str, folder: Path, *, built: bool, seconds: float, info: dict[str, object]) -> Env:
        packages = info.get("packages")
        return Env(
            version=version,
            python=str(folder / "bin" / "python"),
            package_root=str(folder / "shim"),
            built=built,
            seconds=seconds,
            tool=str(info.get("tool", "?")),
            packages=dict(packages) if isinstance(packages, dict) else {},
        )

    def _build(self, version: str, folder: Path, requirements: list[str]) -> str:
        if folder.exists():  # an interrupted build: start over in a clean folder
            stale = folder.with_name(f"{folder.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
            folder.rename(stale)  # atomic: a straggling installer of the old build writes there, not here
            shutil.rmtree(stale, ignore_errors=True)
        uv = uv_binary() if self.use_uv else None
        if uv is not None:
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)], version)
            env = {**os.environ, "VIRTUAL_ENV": str(folder)}
            # compiled now: a process importing Streamlit from source would compile it again, every time
            _run([uv, "pip", "install", "--quiet", "--compile-bytecode", *requirements], version, env=env)
            return "uv"
        _run([sys.executable, "-m", "venv", str(folder)], version)
        _run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements], version)
        return "pip"

    def _freeze(self, folder: Path, tool: str) -> dict[str, str]:
        code = (
            "import json, importlib.metadata as m; "
            "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))"
        )
        done = subprocess.run([str(folder / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=60)
        try:
            return dict(sorted(json.loads(done.stdout).items()))
        except ValueError:
            return {}


def _run(cmd: list[str], version: str, env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentFailed(f"Building the Streamlit {version} environment failed: {exc}.") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-1500:]
        raise EnvironmentFailed(f"Building the Streamlit {version} environment failed ({cmd[0]}): {tail}")


def _write_shim(shim: Path) -> None:
    """A folder with only ``st_patterns/instances/forkserver.py``: the env's fork server imports nothing else of
    ours (import-linter keeps it that way), and none of this server's packages shadow the env's."""
    source = Path(st_patterns.__file__).resolve().parent / "instances" / "forkserver.py"
    target = shim / "st_patterns" / "instances"
    target.mkdir(parents=True, exist_ok=True)
    (shim / "st_patterns" / "__init__.py").write_text('"""Shim: only the fork server."""\n')
    (target / "__init__.py").write_text("")
    shutil.copyfile(source, target / "forkserver.py")
