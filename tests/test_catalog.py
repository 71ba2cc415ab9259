"""Catalog integrity: every folder loads, metadata is valid and coherent, every reference app imports."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from st_patterns.catalog import contract
from st_patterns.catalog.loader import Catalog, load_pattern
from st_patterns.catalog.recommend import recommend
from st_patterns.errors import InvalidInput, PatternInvalid, PatternNotFound
from st_patterns.paths import patterns_dir

SEED_IDS = {
    "mount_fastapi",
    "mount_streamlit_as_subapp",
    "route_custom_endpoints",
    "mount_static_files",
    "mount_django",
    "mount_flask",
    "middleware_security_headers",
    "middleware_auth",
    "middleware_cookies",
    "middleware_ip_whitelist",
    "core_lifespan_lifecycle",
    "route_mcp_server",
    "route_seo_metadata",
}
# what st.App users build next (issue 15): login, secrets, errors, background work, tracing, proxies, deployment
NEXT_IDS = {
    "auth_oidc_login",
    "secrets_and_config",
    "error_handling",
    "app_run_launcher",
    "websocket_route",
    "background_tasks",
    "observability_otel",
    "reverse_proxy_subpath",
    "multi_worker_sticky",
    "rate_limit",
    "cors_public_api",
    "container_deploy",
}


def test_every_seed_pattern_is_in_the_catalog(catalog: Catalog) -> None:
    assert set(catalog.ids()) == SEED_IDS | NEXT_IDS


def test_every_folder_is_a_loadable_pattern() -> None:
    folders = [p for p in patterns_dir().iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    assert {f.name for f in folders} == set(Catalog.load().ids())
    for folder in folders:
        assert load_pattern(folder).id == folder.name


@pytest.mark.parametrize("pattern_id", sorted(SEED_IDS | NEXT_IDS))
def test_pattern_is_coherent(catalog: Catalog, pattern_id: str) -> None:
    pattern = catalog.get(pattern_id)
    meta = pattern.meta
    assert set(meta.related) <= set(catalog.ids()), "related ids must exist"
    assert pattern_id not in meta.related
    assert meta.ui_marker in (pattern.folder / meta.ui).read_text(), "the UI script must write its marker"
    kinds = {(p.kind, p.expect_ws) for p in pattern.probes}
    assert ("websocket", "runs") in kinds, "every pattern proves its script runs over the websocket"
    assert any(p.negative for p in pattern.probes), "every pattern needs a negative probe"
    assert all(p.path.startswith("/") for p in pattern.probes)
    for section in (pattern.explanation.problem, pattern.explanation.how_it_works, pattern.explanation.what_breaks):
        assert len(section) > 40
    assert {"app.py", "pattern.toml", "probes.toml", "explanation.md", meta.ui} <= set(pattern.files)


def test_guard_patterns_probe_the_websocket_refusal(catalog: Catalog) -> None:
    for pattern_id in ("middleware_auth", "middleware_ip_whitelist"):
        refused = [p for p in catalog.get(pattern_id).probes if p.kind == "websocket" and p.expect_ws == "refused"]
        assert refused, f"{pattern_id} must prove the websocket is refused"


def test_every_reference_app_imports_from_a_foreign_cwd(catalog: Catalog, tmp_path) -> None:
    """Import each app.py by path in a fresh interpreter started elsewhere; `app` must be an ASGI callable."""
    script = textwrap.dedent(
        """
        import importlib.util, json, sys
        out = {}
        for pid, path in json.loads(sys.argv[1]).items():
            sys.path.insert(0, path.rsplit("/", 1)[0])  # as uvicorn --app-dir does: sibling modules import
            spec = importlib.util.spec_from_file_location(f"pattern_{pid}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # as a real import does (dataclasses look their module up there)
            spec.loader.exec_module(module)
            out[pid] = callable(getattr(module, "app", None))
            sys.path.pop(0)
        print(json.dumps(out))
        """
    )
    apps = {p.id: str(p.app_path) for p in catalog}
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(apps)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == dict.fromkeys(apps, True)


def test_unknown_id_lists_the_valid_ones(catalog: Catalog) -> None:
    with pytest.raises(PatternNotFound) as info:
        catalog.get("mount_nothing")
    assert "mount_fastapi" in str(info.value)


BAD_IDS = ["../etc/passwd", "/etc/passwd", "Mount_FastAPI", "", "a" * 65, "x;rm", "mount fastapi"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_malformed_ids_are_refused_before_lookup(catalog: Catalog, bad: str) -> None:
    with pytest.raises(InvalidInput):
        catalog.get(bad)


def test_list_filters_by_category_and_words(catalog: Catalog) -> None:
    guards = catalog.list(category="guard")
    assert {s.id for s in guards} == {p.id for p in catalog if p.meta.category == "guard"}
    assert len(guards) >= 4
    flask = catalog.list(query="flask")
    assert [s.id for s in flask] == ["mount_flask"]
    assert catalog.list(query="no-such-word-anywhere") == []


def test_broken_folder_is_reported_with_the_problem(tmp_path) -> None:
    folder = tmp_path / "broken_one"
    folder.mkdir()
    (folder / contract.METADATA_FILE).write_text('id = "broken_one"\n')
    with pytest.raises(PatternInvalid) as info:
        load_pattern(folder)
    assert "broken_one" in str(info.value)


# Two needs of a user's own words per pattern added in issue 15: each must bring its pattern up first.
NEEDS = [
    ("deploy my streamlit app with docker", "container_deploy"),
    ("production Dockerfile that runs as non-root with a health check", "container_deploy"),
    ("periodic background task that stops cleanly on shutdown", "background_tasks"),
    ("refresh a value every few seconds in the background and show it on the dashboard", "background_tasks"),
    ("add opentelemetry tracing to my streamlit app", "observability_otel"),
    ("trace API requests and websocket sessions with spans", "observability_otel"),
    ("return JSON errors from my API routes instead of a traceback", "error_handling"),
    ("show a friendly error message when the streamlit script crashes and log it", "error_handling"),
    ("read an API key from environment variables into st.secrets without leaking it", "secrets_and_config"),
    ("my config.toml settings are ignored under uvicorn", "secrets_and_config"),
    ("start my st.App with python app.py and set the port in code", "app_run_launcher"),
    ("my launcher runs itself again: self-launch with App(__file__)", "app_run_launcher"),
    ("st.login OIDC but anonymous users still connect to the websocket", "auth_oidc_login"),
    ("protect streamlit with okta openid connect", "auth_oidc_login"),
    ("live websocket feed next to streamlit", "websocket_route"),
    ("push realtime JSON events to my own javascript over a websocket", "websocket_route"),
    ("rate limit my api endpoints per client ip", "rate_limit"),
    ("throttle abusive clients with 429 too many requests", "rate_limit"),
    ("allow other websites to call my api with CORS", "cors_public_api"),
    ("fetch from javascript on a partner site fails with a cross-origin error", "cors_public_api"),
    ("serve streamlit behind nginx under a sub-path", "reverse_proxy_subpath"),
    ("websocket connecting forever behind reverse proxy", "reverse_proxy_subpath"),
    ("run several uvicorn workers behind a load balancer", "multi_worker_sticky"),
    ("sticky sessions images 404 with multiple workers", "multi_worker_sticky"),
]


def test_every_new_pattern_has_two_needs_of_its_own() -> None:
    assert sorted({pattern_id for _, pattern_id in NEEDS}) == sorted(NEXT_IDS)
    assert all(sum(p == pattern_id for _, p in NEEDS) == 2 for pattern_id in NEXT_IDS)


@pytest.mark.parametrize(("need", "expected"), NEEDS)
def test_recommend_ranks_the_new_pattern_first_for_a_plain_need(catalog: Catalog, need: str, expected: str) -> None:
    ranked = recommend(catalog, need)
    assert ranked and ranked[0].pattern.id == expected, [(r.pattern.id, r.score) for r in ranked[:3]]
    assert len(ranked) == 1 or ranked[0].score > ranked[1].score  # first, not tied
