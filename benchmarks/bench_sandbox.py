"""Sandboxed launch-to-healthy and memory: host fork server, bubblewrap and Docker, beside cold uvicorn, per pattern.

Every launch goes through the Registry as an instance launch does. The sandboxes keep one warm spare (the server's
default pool): each measured launch takes it, and the next waits until the pool is warm again, as launches a few
seconds apart see it. One launch with an empty pool (a sandbox started on demand) is printed too.
Goals: bwrap <= 0.3x cold, docker <= 1.5x cold. Memory is the app process's RSS and USS right after health.

    PYTHONPATH=server python benchmarks/bench_sandbox.py                        # all patterns, n=3
    PYTHONPATH=server python benchmarks/bench_sandbox.py mount_fastapi -n 5 --kinds bwrap
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_launch import cold_launch, load_catalog, rss_mb, uss_mb

from st_patterns.catalog.loader import Catalog, Pattern
from st_patterns.instances.backends import bwrap, docker
from st_patterns.instances.backends.base import Limits
from st_patterns.instances.backends.sandboxed import SandboxBackend
from st_patterns.instances.launcher import Launcher
from st_patterns.instances.registry import Registry
from st_patterns.settings import default_image_base

GOALS = {"bwrap": 0.3, "docker": 1.5}


def backend_for(kind: str, root: Path, catalog: Catalog, pool: int) -> SandboxBackend:
    preload = catalog.preloads()
    if kind == "bwrap":
        return SandboxBackend(bwrap.BwrapFactory(root / kind, Limits(), preload), pool_size=pool)
    factory = docker.DockerFactory(root / kind, Limits(), preload, base_image=default_image_base())
    return SandboxBackend(factory, pool_size=pool)


def launch(registry: Registry, pattern: Pattern) -> tuple[float, float, float, str]:
    started = time.perf_counter()
    inst = registry.launch(pattern.id, timeout=120)
    seconds = time.perf_counter() - started
    try:
        assert inst.pid is not None
        return seconds, rss_mb(inst.pid), uss_mb(inst.pid), inst.launch_mode
    finally:
        registry.stop(inst.id)


def _memory(cell: tuple[float, float, float]) -> str:
    _seconds, rss, uss = cell
    return f"RSS {rss:.0f} USS {uss:.0f}" if rss else f"USS {uss:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patterns", nargs="*", help="pattern ids (default: all)")
    parser.add_argument("-n", type=int, default=3, help="launches per pattern and kind (default 3)")
    parser.add_argument("--kinds", default="local,bwrap,docker", help="comma-separated: local, bwrap, docker")
    args = parser.parse_args()
    catalog = load_catalog(args.patterns)
    kinds = [k for k in args.kinds.split(",") if k]
    for kind, problem in (("bwrap", bwrap.probe()), ("docker", docker.probe())):
        if kind in kinds and problem is not None:
            print(f"skip {kind}: {problem}", file=sys.stderr)
            kinds.remove(kind)
    results: dict[tuple[str, str], tuple[float, float, float]] = {}
    on_demand: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        root = Path(tmp)
        for pattern in catalog:  # the baseline first, per pattern: cold uvicorn, n times
            cold_launch(pattern, root)
            times = [cold_launch(pattern, root) for _ in range(args.n)]
            results[(pattern.id, "cold")] = (
                statistics.median(t for t, _ in times),
                0.0,
                statistics.median(u for _, u in times),
            )
        for kind in kinds:
            launcher = Launcher(preload=catalog.preloads(), log_dir=root / "logs")
            sandbox = None if kind == "local" else backend_for(kind, root / "sandboxes", catalog, pool=1)
            state = root / f"state-{kind}"
            with Registry(catalog, state, launcher=launcher, sandbox=sandbox, sandbox_patterns=True) as registry:
                started = time.perf_counter()
                warm = launcher.wait_ready(60) if sandbox is None else sandbox.wait_warm(300)
                print(f"{kind}: warm={warm} after {time.perf_counter() - started:.1f} s (one-off)", file=sys.stderr)
                for pattern in catalog:
                    runs = []
                    for _ in range(args.n + 1):  # the first is a warm-up
                        if sandbox is not None:
                            sandbox.wait_warm(120)
                        runs.append(launch(registry, pattern))
                    runs = runs[1:]
                    results[(pattern.id, kind)] = tuple(statistics.median(r[i] for r in runs) for i in range(3))  # type: ignore[assignment]
                    print(f"  {kind} {pattern.id}: {results[(pattern.id, kind)][0]:.3f} s", file=sys.stderr)
            if sandbox is not None:  # one launch with no warm spare: the sandbox starts on demand
                cold_sandbox = backend_for(kind, root / "sandboxes-0", catalog, pool=0)
                with Registry(catalog, root / f"state-{kind}-0", sandbox=cold_sandbox, sandbox_patterns=True) as reg:
                    on_demand[kind] = launch(reg, next(iter(catalog)))[0]
    header = f"{'pattern':<28} {'cold s':>7}" + "".join(f" {k + ' s':>9} {'x cold':>6}" for k in kinds)
    print("\n" + header)
    for pattern in catalog:
        cold = results[(pattern.id, "cold")][0]
        row = f"{pattern.id:<28} {cold:7.3f}"
        for kind in kinds:
            seconds = results[(pattern.id, kind)][0]
            row += f" {seconds:9.3f} {seconds / cold:6.2f}"
        print(row)
    print(f"\n{'memory per instance (median MiB)':<34}" + "".join(f" {k:>18}" for k in ["cold", *kinds]))
    for pattern in catalog:
        cells = [results[(pattern.id, "cold")]] + [results[(pattern.id, k)] for k in kinds]
        print(f"{pattern.id:<34}" + "".join(f" {_memory(cell):>18}" for cell in cells))
    verdicts = []
    for kind, goal in GOALS.items():
        if kind in kinds:
            worst = max(results[(p.id, kind)][0] / results[(p.id, "cold")][0] for p in catalog)
            verdicts.append(f"{kind} worst {worst:.2f}x cold (goal <= {goal}x)")
    for kind, seconds in on_demand.items():
        verdicts.append(f"{kind} with no warm spare: {seconds:.2f} s")
    print(f"\nn={args.n} medians; " + "; ".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
