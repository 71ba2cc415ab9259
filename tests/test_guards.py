"""Input guards: ids, ports, sizes and paths that try to escape a pattern folder."""

from __future__ import annotations

import pytest

from st_patterns.catalog import guards
from st_patterns.catalog.loader import Catalog
from st_patterns.errors import InvalidInput


@pytest.mark.parametrize("port", [0, 80, 1023, 65536, -1, True])
def test_ports_out_of_range_are_refused(port: int) -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        guards.check_port(port)


def test_ports_in_range_pass() -> None:
    assert guards.check_port(8501) == 8501


@pytest.mark.parametrize("rel", ["../pattern.toml", "../../etc/passwd", "/etc/passwd", "a/../../x", "x\x00y"])
def test_paths_cannot_escape(tmp_path, rel: str) -> None:
    (tmp_path / "inside").mkdir()
    with pytest.raises(InvalidInput):
        guards.resolve_inside(tmp_path / "inside", rel)


def test_symlink_out_of_the_folder_is_refused(tmp_path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(InvalidInput, match="escapes"):
        guards.resolve_inside(inside, "link.txt")


def test_pattern_files_are_readable_but_only_their_own(catalog: Catalog) -> None:
    pattern = catalog.get("mount_fastapi")
    assert "App(" in pattern.read_file("app.py")
    for bad in ("../mount_flask/app.py", "/etc/passwd", "nope.py"):
        with pytest.raises(InvalidInput):
            pattern.read_file(bad)


def test_long_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="limit"):
        guards.check_text("x" * (guards.MAX_TEXT_CHARS + 1), "need")
