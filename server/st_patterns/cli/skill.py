"""``st-patterns skill export [DIR] [--for CLIENT] [--user] [--validate]``: write the generated agent skill.

Without ``--for``, DIR is the folder to put ``st-patterns/`` in. With ``--for claude`` (cursor, codex, ...), DIR is
the project root (default the working directory) and the skill goes where that client looks (``--user``: under
the home folder). The folder is written next to its final place and renamed into it, so a reader never sees half.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fastmcp.skills import Skill

from st_patterns.catalog.loader import Catalog
from st_patterns.cli.validate import run_validation
from st_patterns.errors import InvalidInput
from st_patterns.skill.build import build_skill, with_frontmatter
from st_patterns.skill.clients import CLIENTS, skill_root


def write_folder(target: Path, files: dict[str, bytes], *, force: bool) -> None:
    """Write ``files`` as the skill folder ``target``, replacing it only with ``force``: FastMCP's writer stages
    the folder beside its place and renames it in (and checks the folder is named after the skill)."""
    if target.exists() and not force:
        raise InvalidInput(f"{target} exists; pass --force to replace it.")
    Skill.from_files(files).to_directory(target, overwrite=force)


def cmd_skill_export(args: argparse.Namespace) -> int:
    catalog = Catalog.load()
    passed = None
    if args.validate:
        summary = run_validation(args, catalog, ["all"])
        passed = [r.pattern_id for r in summary.reports if r.passed]
        left_out = sorted(set(catalog.ids()) - set(passed))
        if left_out:
            print(f"left out (not green in this run): {', '.join(left_out)}", file=sys.stderr)
    skill = build_skill(catalog, passed)
    if args.client:
        root = skill_root(args.client, project=Path(args.dir) if args.dir else None, user=args.user)
    elif args.dir:
        root = Path(args.dir)
    else:
        raise InvalidInput("Say where: st-patterns skill export DIR, or --for CLIENT (" + ", ".join(CLIENTS) + ").")
    target = root / skill.name
    files = with_frontmatter(skill)
    write_folder(target, files, force=args.force)
    if args.json:
        print(json.dumps({"path": str(target), "patterns": list(skill.patterns), "files": len(files)}, indent=2))
    else:
        size = sum(len(content) for content in files.values())
        print(f"wrote {target} ({len(files)} files, {size / 1024:.0f} KiB, {len(skill.patterns)} patterns)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    skill = sub.add_parser("skill", help="The agent skill generated from the tested catalog.")
    actions = skill.add_subparsers(dest="skill_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="Write the skill folder (SKILL.md and references/).")
    export.add_argument("dir", nargs="?", metavar="DIR", help="Where to put st-patterns/ (with --for: project root).")
    export.add_argument("--for", dest="client", choices=sorted(CLIENTS), help="Write where this client finds skills.")
    export.add_argument("--user", action="store_true", help="With --for: the client's folder in your home.")
    export.add_argument("--validate", action="store_true", help="Prove every pattern first; leave out any red one.")
    export.add_argument("--force", action="store_true", help="Replace an existing skill folder.")
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=cmd_skill_export)
