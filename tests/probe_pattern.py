"""Developer aid: serve one or more patterns and print their probe results.

python tests/probe_pattern.py mount_fastapi middleware_auth
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from st_patterns.catalog.loader import Catalog
from st_patterns.proving.probes import run_probes

from serving import serve_pattern


def main(ids: list[str]) -> int:
    catalog = Catalog.load()
    failed = 0
    for pattern_id in ids or catalog.ids():
        pattern = catalog.get(pattern_id)
        with tempfile.TemporaryDirectory() as tmp, serve_pattern(pattern, Path(tmp)) as base:
            results = asyncio.run(run_probes(base, pattern.probes, marker=pattern.meta.ui_marker))
        for r in results:
            mark = "PASS" if r.passed else "FAIL"
            print(f"{mark} {pattern_id}: {r.name} | expected {r.expected} | actual {r.actual} ({r.seconds}s)")
            failed += not r.passed
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
