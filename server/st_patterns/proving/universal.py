"""The checks every st.App must pass, whatever the pattern, derived from its metadata.

- the page HTML is served at the base path;
- ``_stcore/health`` answers;
- a websocket to ``_stcore/stream`` really runs the script (script_finished and the UI marker seen);
- the pattern's own routes are not shadowed by Streamlit's catch-all (they do not answer with the page);
- and the reverse: an unknown page path still reaches Streamlit's page (the pattern's routes do not swallow it).
"""

from __future__ import annotations

from collections.abc import Iterable

from st_patterns.catalog.contract import PathInfo, Probe

PAGE_MARKER = '<div id="root">'
UNROUTED_PAGE = "st-patterns-unrouted-page"


def universal_probes(base: str = "/", jar: str | None = None, paths: Iterable[PathInfo] = ()) -> list[Probe]:
    """The universal checks for an app serving Streamlit at ``base``; ``paths`` are the routes it adds."""
    probes = [
        Probe(name="page HTML is served", path=base, jar=jar, expect_status=200, expect_body_contains=[PAGE_MARKER]),
        Probe(
            name="health endpoint answers", path=f"{base}_stcore/health", expect_status=200, expect_body_contains=["ok"]
        ),
        Probe(
            name="websocket runs the script", kind="websocket", path=f"{base}_stcore/stream", jar=jar, expect_ws="runs"
        ),
        Probe(
            name="unknown page path still reaches Streamlit",
            path=f"{base}{UNROUTED_PAGE}",
            jar=jar,
            expect_status=200,
            expect_body_contains=[PAGE_MARKER],
        ),
    ]
    for info in paths:
        path = info.path
        if path in (base, base.rstrip("/")) or "{" in path or path.startswith(f"{base}_stcore/"):
            continue
        probes.append(
            Probe(
                name=f"{path} is not shadowed by Streamlit's catch-all",
                path=path,
                jar=jar,
                expect_body_not_contains=[PAGE_MARKER],
            )
        )
    return probes
