"""Each reference app served by a real uvicorn subprocess, from a foreign cwd, passes its own probes."""

from __future__ import annotations

import asyncio

import pytest
from test_catalog import SEED_IDS

from st_patterns.catalog.loader import Catalog
from st_patterns.proving.probes import run_probes

from serving import serve_pattern

pytestmark = pytest.mark.processes


@pytest.mark.parametrize("pattern_id", sorted(SEED_IDS))
def test_reference_app_passes_its_probes(catalog: Catalog, pattern_id: str, tmp_path) -> None:
    pattern = catalog.get(pattern_id)
    with serve_pattern(pattern, tmp_path) as base:
        results = asyncio.run(run_probes(base, pattern.probes, marker=pattern.meta.ui_marker))
    failed = [f"{r.name}: expected {r.expected}; actual {r.actual}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)
    assert len(results) == len(pattern.probes)
