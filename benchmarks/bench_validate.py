"""`st-patterns validate --all` wall time: parallel from the fork server, beside a cold sequential baseline.

    python benchmarks/bench_validate.py [--skip-baseline]

Prints, per mode: wall seconds, the sum of per-pattern seconds, checks and failures. Goal: parallel wall <= 10 s
for the 13 patterns on 2 cores, and <= 0.25x of the cold sequential run in the same process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

from _common import st_patterns_cmd


def run(*extra: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(
        [*st_patterns_cmd(), "validate", "--all", "--json", *extra], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    return wall, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-baseline", action="store_true")
    opts = parser.parse_args()
    modes = [("fork, parallel (default)", ())]
    if not opts.skip_baseline:
        modes.append(("cold, sequential (baseline)", ("--no-fork", "--concurrency", "1")))
    print(f"{'mode':<28} {'wall s':>7} {'engine s':>8} {'sum s':>7} {'checks':>6} {'failed':>6}")
    for name, extra in modes:
        wall, summary = run(*extra)
        print(
            f"{name:<28} {wall:>7.2f} {summary['seconds']:>8.2f} {summary['sum_seconds']:>7.2f} "
            f"{summary['checks']:>6} {summary['failed_checks']:>6}"
        )
    print("wall = whole CLI process incl. imports and fork-server start; engine = validation run only")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
