"""The full version matrix (13 patterns x 15 Streamlit releases) with environments cold and cached.

    python benchmarks/bench_matrix.py [--streamlit 1.53,1.60,1.67] [--keep]

Runs `st-patterns matrix` twice against a fresh cache folder: first with no environment built (uv resolves,
downloads what its own cache lacks, installs and compiles), then with all of them cached. Prints both wall
times beside one `validate --all` on this server's own release (the floor a release can cost). Goal on 2
cores: <= 5 min for 15 releases with environments cached.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _common import st_patterns_cmd


def run(args: list[str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([*st_patterns_cmd(), *args, "--json"], capture_output=True, text=True, check=False)
    return time.perf_counter() - started, json.loads(done.stdout or "{}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streamlit", help="Releases (default: all 15).")
    parser.add_argument("--keep", action="store_true", help="Keep the cache folder (printed).")
    opts = parser.parse_args()
    which = ["--streamlit", opts.streamlit] if opts.streamlit else ["--all-releases"]
    cache = Path(tempfile.mkdtemp(prefix="st-patterns-bench-envs-"))
    try:
        base_wall, base = run(["validate", "--all"])
        cold_wall, cold = run(["matrix", *which, "--cache-dir", str(cache)])
        warm_wall, warm = run(["matrix", *which, "--cache-dir", str(cache)])
    finally:
        if not opts.keep:
            shutil.rmtree(cache, ignore_errors=True)
    cells = sum(len(row) for row in warm.get("cells", {}).values())
    red = sum(1 for row in warm.get("cells", {}).values() for c in row.values() if not c["passed"])
    print(f"{'run':<44} {'wall s':>8}")
    print(f"{'validate --all (one release, baseline)':<44} {base_wall:>8.1f}")
    print(f"{'matrix, environments cold':<44} {cold_wall:>8.1f}  (building: {cold.get('env_seconds', 0):.1f} s)")
    print(f"{'matrix, environments cached':<44} {warm_wall:>8.1f}")
    releases = len(warm.get("versions", []))
    print(f"cells: {cells} ({red} red); releases: {releases}; baseline checks: {base.get('checks')}")
    print("goal: 15 releases x 13 patterns <= 300 s with environments cached (2 cores)")
    if opts.keep:
        print(f"cache kept at {cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
