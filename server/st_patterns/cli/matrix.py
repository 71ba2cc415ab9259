"""``st-patterns matrix``: prove the patterns on several Streamlit releases, one cached environment each."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

from packaging.version import Version

from st_patterns.catalog.compat import Compatibility
from st_patterns.catalog.loader import Catalog
from st_patterns.catalog.releases import select
from st_patterns.matrix.envs import Environments, default_cache_dir
from st_patterns.matrix.run import MatrixReport, run_matrix


def table(report: MatrixReport) -> str:
    """Patterns down, releases across; ``ok`` / ``--`` (red) / ``n/a`` (needs a newer release) per cell, then each
    red cell's first failing check."""
    short = [v.rsplit(".", 1)[0] if v.count(".") == 2 else v for v in report.versions]
    width = max(len(p) for p in report.patterns) if report.patterns else 10
    lines = [" " * width + "  " + " ".join(f"{s:>5}" for s in short)]
    red: list[str] = []
    for pattern_id in report.patterns:
        row = report.cells[pattern_id]
        marks = []
        for version in report.versions:
            cell = row.get(version)
            mark = "ok" if cell and cell.passed else "n/a" if cell and not cell.applicable else "--"
            marks.append(f"{mark:>5}")
            if cell is not None and not cell.passed and cell.applicable:
                red.append(f"{pattern_id} @ {version}: {cell.first_failure}")
        lines.append(f"{pattern_id:<{width}}  " + " ".join(marks))
    if red:
        lines += ["", "first failing check per red cell:", *(f"  {r}" for r in red)]
    return "\n".join(lines)


def _junit(report: MatrixReport) -> str:
    """One <testsuite> per release, one <testcase> per pattern; a red cell fails with its first failing check."""
    root = ET.Element("testsuites", name="st-patterns matrix", time=f"{report.seconds:.3f}")
    for version in report.versions:
        row = [(p, report.cells[p][version]) for p in report.patterns if version in report.cells[p]]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"streamlit-{version}",
            tests=str(len(row)),
            failures=str(sum(1 for _, c in row if not c.passed and c.applicable)),
            skipped=str(sum(1 for _, c in row if not c.applicable)),
        )
        for pattern_id, cell in row:
            case = ET.SubElement(
                suite, "testcase", classname=f"streamlit-{version}", name=pattern_id, time=f"{cell.seconds:.3f}"
            )
            if not cell.applicable:
                ET.SubElement(case, "skipped", message=cell.first_failure or "needs a newer Streamlit")
            elif not cell.passed:
                ET.SubElement(case, "failure", message=f"{cell.failed} of {cell.checks} checks failed").text = (
                    cell.first_failure or ""
                )
    return ET.tostring(root, encoding="unicode")


def cmd_matrix(args: argparse.Namespace) -> int:
    versions = select(None if args.all_releases else args.streamlit or None)
    catalog = Catalog.load()
    ids = [p.strip() for p in args.patterns.split(",") if p.strip()] if args.patterns else ["all"]
    envs = Environments(Path(args.cache_dir) if args.cache_dir else default_cache_dir(), use_uv=not args.pip)

    def progress(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="st-patterns-matrix-") as tmp:
        report = asyncio.run(
            run_matrix(catalog, versions, ids, envs, Path(tmp), progress=progress, concurrency=args.concurrency)
        )
    if args.junit:
        Path(args.junit).write_text(_junit(report), encoding="utf-8")
    if args.write:
        previous = Compatibility.load()
        merged = report.compatibility(previous.notes if previous else {})
        if previous is not None:  # a partial run updates its cells and keeps the rest
            for pattern_id, row in previous.cells.items():
                merged.cells.setdefault(pattern_id, {})
                for version, cell in row.items():
                    merged.cells[pattern_id].setdefault(version, cell)
            for version, packages in previous.environments.items():
                merged.environments.setdefault(version, packages)
            merged.versions = sorted(set(previous.versions) | set(merged.versions), key=Version)
        print(f"wrote {merged.write()}", file=sys.stderr)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(table(report))
        built = sum(1 for e in report.environments if e.built)
        print(
            f"{len(report.patterns)} patterns x {len(report.versions)} releases in {report.seconds:.1f} s "
            f"({built} environments built, {report.env_seconds:.1f} s of it)",
            file=sys.stderr,
        )
    return 0 if report.passed else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mat = sub.add_parser("matrix", help="Prove the patterns on several Streamlit releases (cached environments).")
    which = mat.add_mutually_exclusive_group()
    which.add_argument("--streamlit", metavar="V1,V2", help="Releases (minor or exact), e.g. 1.53,1.67.")
    which.add_argument("--all-releases", action="store_true", help="Every release with st.App (the default).")
    mat.add_argument("--patterns", metavar="ID,...", help="Pattern ids (default: all).")
    mat.add_argument("--json", action="store_true", help="Print the report as JSON.")
    mat.add_argument("--junit", metavar="FILE", help="Also write a JUnit XML report (one case per cell).")
    mat.add_argument("--write", action="store_true", help="Update the catalog's compatibility.json with the result.")
    mat.add_argument("--cache-dir", metavar="DIR", help="Where environments are cached (ST_PATTERNS_ENV_CACHE).")
    mat.add_argument("--concurrency", type=int, default=None, help="Patterns at once per release (default: cores).")
    mat.add_argument("--pip", action="store_true", help="Build environments with pip instead of uv.")
    mat.set_defaults(handler=cmd_matrix)
