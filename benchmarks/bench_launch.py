"""Launch-to-healthy: the Registry's fork path against a cold `python -m uvicorn app:app`, same patterns, same run.

Goal: fork/cold median ratio <= 0.3 per pattern, never above 1.1. Also prints the private memory (USS) of a fork
child beside a cold process, both measured right after their first healthy answer.

    PYTHONPATH=server python benchmarks/bench_launch.py                   # every pattern that loads, N=5
    PYTHONPATH=server python benchmarks/bench_launch.py mount_fastapi -n 9
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from _common import stop_process

from st_patterns.catalog.loader import Catalog, Pattern, load_pattern
from st_patterns.errors import PatternInvalid
from st_patterns.instances.launcher import Launcher
from st_patterns.instances.registry import Registry
from st_patterns.instances.state import pick_port
from st_patterns.paths import patterns_dir

POLL = 0.025  # the Registry's health poll interval, used for the cold runs too
GOAL_RATIO = 0.3
WORST_RATIO = 1.1


def load_catalog(ids: list[str]) -> Catalog:
    """Every pattern folder that loads (others are being written right now), or just ``ids``."""
    patterns: dict[str, Pattern] = {}
    for folder in sorted(p for p in patterns_dir().iterdir() if p.is_dir()):
        if ids and folder.name not in ids:
            continue
        try:
            patterns[folder.name] = load_pattern(folder)
        except (PatternInvalid, OSError) as exc:
            print(f"skip {folder.name}: {str(exc)[:100]}", file=sys.stderr)
    return Catalog(patterns)


def uss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_full_info().uss / 2**20


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def cold_launch(pattern: Pattern, logs: Path) -> tuple[float, float]:
    """Seconds from Popen to health 200, and USS in MiB then; the process is stopped afterwards."""
    meta = pattern.meta
    port = pick_port("127.0.0.1", set())
    cmd = [sys.executable, "-m", "uvicorn", f"{Path(meta.entry).stem}:app", "--app-dir", str(pattern.folder)]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    if not meta.proxy_headers:
        cmd.append("--no-proxy-headers")
    url = f"http://127.0.0.1:{port}{meta.base_path}_stcore/health"
    with (logs / f"cold-{pattern.id}.log").open("ab") as out, httpx.Client(trust_env=False) as client:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=pattern.folder, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **meta.env}
        )
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"cold {pattern.id} exited with {proc.returncode}")
                try:
                    if client.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(POLL)
            seconds = time.perf_counter() - started
            return seconds, uss_mb(proc.pid)
        finally:
            stop_process(proc, timeout=10)


def fork_launch(registry: Registry, pattern: Pattern) -> tuple[float, float, str]:
    started = time.perf_counter()
    inst = registry.launch(pattern.id)
    seconds = time.perf_counter() - started
    try:
        assert inst.pid is not None
        return seconds, uss_mb(inst.pid), inst.launch_mode
    finally:
        registry.stop(inst.id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patterns", nargs="*", help="pattern ids (default: all that load)")
    parser.add_argument("-n", type=int, default=5, help="launches per pattern and mode (default 5)")
    parser.add_argument("--no-scan-cache", action="store_true", help="fork children scan for components themselves")
    args = parser.parse_args()
    catalog = load_catalog(args.patterns)
    if not len(catalog):
        print("no pattern to benchmark", file=sys.stderr)
        return 2
    rows = []
    tmp = tempfile.TemporaryDirectory(prefix="bench-launch-")
    logs = Path(tmp.name)
    preload = catalog.preloads()
    launcher = Launcher(preload=preload, log_dir=logs, cache_component_scan=not args.no_scan_cache)
    with tmp, Registry(catalog, logs, launcher=launcher) as registry:
        started = time.perf_counter()
        ready = registry._launcher.wait_ready(60)
        print(f"fork server ready={ready} after {time.perf_counter() - started:.2f} s (one-off, not counted)")
        if launcher.forkserver_pid is not None:
            server_uss, server_rss = uss_mb(launcher.forkserver_pid), rss_mb(launcher.forkserver_pid)
            print(f"fork server memory: USS {server_uss:.1f} MiB, RSS {server_rss:.1f} MiB (preload {sorted(preload)})")
        for pattern in catalog:
            cold_launch(pattern, logs)  # warm-up both paths (page cache, bytecode), not counted
            fork_launch(registry, pattern)
            cold, fork, cold_uss, fork_uss, modes = [], [], [], [], set()
            for _ in range(args.n):  # interleaved, so both see the same machine load
                seconds, uss = cold_launch(pattern, logs)
                cold.append(seconds)
                cold_uss.append(uss)
                seconds, uss, mode = fork_launch(registry, pattern)
                fork.append(seconds)
                fork_uss.append(uss)
                modes.add(mode)
            c, f = statistics.median(cold), statistics.median(fork)
            rows.append((pattern.id, c, f, f / c, statistics.median(cold_uss), statistics.median(fork_uss), modes))
            print(f"  {pattern.id}: cold {c:.3f} s, fork {f:.3f} s", file=sys.stderr)
    print(f"\n{'pattern':<30} {'cold s':>7} {'fork s':>7} {'ratio':>6} {'USS cold':>9} {'USS fork':>9}  note")
    for pid, c, f, ratio, uc, uf, modes in rows:
        note = "" if ratio <= GOAL_RATIO else ("OVER 1.1" if ratio > WORST_RATIO else "above goal")
        note += "" if modes == {"fork"} else f" modes={sorted(modes)}"
        print(f"{pid:<30} {c:7.3f} {f:7.3f} {ratio:6.2f} {uc:8.1f}M {uf:8.1f}M  {note}")
    ratios = [row[3] for row in rows]
    print(f"\nmedian of launches, n={args.n}; ratio goal <= {GOAL_RATIO}, max {WORST_RATIO}; worst {max(ratios):.2f}")
    return 0 if max(ratios) <= WORST_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
