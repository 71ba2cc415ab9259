"""The agent skill generated from the tested catalog: exported as a folder (CLI) and served over MCP (resources and
the Skills extension), the same bytes both ways, every reference file identical to the validated pattern source."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from fastmcp import Client
from fastmcp.skills import Skill, SkillsClientExtension

from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.releases import RELEASES
from st_patterns.skill.build import build_skill, included, with_frontmatter

from conftest import ServerProcess, st_patterns_cmd


def _export(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [*st_patterns_cmd(), "skill", "export", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_the_exported_folder_is_a_valid_skill_whose_references_are_the_validated_sources(
    tmp_path: Path, catalog: Catalog
) -> None:
    done = _export(str(tmp_path), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    folder = Path(report["path"])
    assert folder == tmp_path / "st-patterns"
    skill = Skill.from_directory(folder)  # FastMCP checks the Agent Skills frontmatter rules here
    assert skill.name == "st-patterns" and 100 < len(skill.description) <= 1024
    assert skill.frontmatter.root["description"].startswith("Build Streamlit apps")
    proven = {p.id for p in included(catalog)}
    assert set(report["patterns"]) == proven and proven  # only patterns proven on the newest release
    for pattern in catalog:
        if pattern.id not in proven:
            assert not (folder / "references" / f"{pattern.id}.py").exists()
            continue
        assert (folder / "references" / f"{pattern.id}.py").read_bytes() == pattern.app_path.read_bytes()
        for name in pattern.code_files:
            if name != pattern.meta.entry:
                assert (folder / "references" / pattern.id / name).read_bytes() == (pattern.folder / name).read_bytes()
        notes = (folder / "references" / f"{pattern.id}.md").read_text()
        assert pattern.meta.pitfalls[0].split()[0] in notes
    text = (folder / "SKILL.md").read_text()
    for pattern_id in proven:  # the decision table links every reference and names its proven range
        row = next(line for line in text.splitlines() if f"references/{pattern_id}.md" in line)
        assert catalog.compat is not None and catalog.compat.range(pattern_id) in row
    assert "## Mistakes that break st.App apps" in text and "`ws-unguarded-middleware`" in text


def test_a_run_that_validated_the_patterns_narrows_the_skill_to_the_green_ones(catalog: Catalog) -> None:
    skill = build_skill(catalog, passed=["mount_fastapi", "middleware_auth"])
    assert skill.patterns == ("middleware_auth", "mount_fastapi")
    assert {p for p in skill.files if p.endswith(".py") and p.count("/") == 1} == {
        "references/middleware_auth.py", "references/mount_fastapi.py"
    }  # fmt: skip
    assert catalog.compat is not None and all(
        catalog.compat.cells[p.id][RELEASES[-1]].passed for p in included(catalog)
    )


def test_export_goes_where_each_client_looks_and_never_overwrites_silently(tmp_path: Path) -> None:
    project, home = tmp_path / "project", tmp_path / "home"
    project.mkdir()
    done = _export("--for", "claude", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / ".claude" / "skills" / "st-patterns" / "SKILL.md").is_file()
    again = _export("--for", "claude", cwd=project)
    assert again.returncode == 1 and "exists; pass --force" in again.stderr
    assert _export("--for", "claude", "--force", cwd=project).returncode == 0
    user = _export("--for", "cursor", "--user", cwd=project, env={"HOME": str(home)})
    assert user.returncode == 0, user.stderr
    assert (home / ".cursor" / "skills" / "st-patterns" / "SKILL.md").is_file()
    nowhere = _export(cwd=project)
    assert nowhere.returncode == 1 and "--for CLIENT" in nowhere.stderr
    bad = _export("--for", "notepad", cwd=project)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    leftovers = [p.name for p in (project / ".claude" / "skills").iterdir()]
    assert leftovers == ["st-patterns"]  # no staging folders left behind


@pytest.mark.processes
async def test_the_skills_client_lists_and_reads_the_same_skill_from_a_real_server(
    server: ServerProcess, catalog: Catalog, tmp_path: Path
) -> None:
    exported = with_frontmatter(build_skill(catalog))
    async with Client(server.mcp_url, extensions=[SkillsClientExtension()]) as client:
        skills = await client.list_skills()
        assert [s.uri for s in skills] == ["skill://st-patterns/SKILL.md"]
        entry = await client.get_skill("skill://st-patterns/SKILL.md")
        assert entry.frontmatter.root["name"] == "st-patterns"
        skill_md = (await client.read_resource("skill://st-patterns/SKILL.md"))[0]
        assert skill_md.text.encode() == exported["SKILL.md"]
        reference = (await client.read_resource("skill://st-patterns/references/middleware_auth.py"))[0]
        assert reference.text.encode() == catalog.get("middleware_auth").app_path.read_bytes()
    manifest = Skill.from_files(exported).manifest.files
    digest = hashlib.sha256(catalog.get("mount_fastapi").app_path.read_bytes()).hexdigest()
    assert digest in manifest["references/mount_fastapi.py"].digest
    # and without the extension a client still reads the files as ordinary resources
    async with Client(server.mcp_url) as plain:
        text = (await plain.read_resource("skill://st-patterns/SKILL.md"))[0].text
        assert text.startswith("---\nname: st-patterns\n")


@pytest.mark.processes
def test_export_with_validate_leaves_out_a_pattern_that_is_red_in_this_run(tmp_path: Path, catalog: Catalog) -> None:
    import shutil

    root = tmp_path / "catalog"
    for pattern_id in ("mount_fastapi", "route_seo_metadata"):
        shutil.copytree(catalog.get(pattern_id).folder, root / pattern_id)
    probes = root / "route_seo_metadata" / "probes.toml"
    probes.write_text(probes.read_text().replace("expect_status = 200", "expect_status = 418", 1))
    done = _export(str(tmp_path / "out"), "--validate", "--json", cwd=tmp_path, env={"ST_PATTERNS_CATALOG": str(root)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["patterns"] == ["mount_fastapi"]
    assert "left out (not green in this run): route_seo_metadata" in done.stderr
    skill_md = (tmp_path / "out" / "st-patterns" / "SKILL.md").read_text()
    assert "references/mount_fastapi.md" in skill_md and "route_seo_metadata" not in skill_md
    assert "not in the version matrix" in skill_md  # a catalog without compatibility.json claims no range
