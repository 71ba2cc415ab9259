"""Where the bundled pattern catalog and dashboard script live, installed or in a checkout.

In a wheel they ship as ``st_patterns/_bundled/{patterns,dashboard}``; in a source checkout (editable
install, tests) they are the top-level ``patterns/`` and ``dashboard/`` folders.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"st-patterns is installed without its {name}/ folder (looked in {installed})")


def patterns_dir() -> Path:
    """The catalog root; ``ST_PATTERNS_CATALOG`` points elsewhere (used by tests and pattern authors)."""
    override = os.environ.get("ST_PATTERNS_CATALOG")
    return Path(override).resolve() if override else _bundled("patterns")


def dashboard_script() -> Path:
    return _bundled("dashboard") / "app.py"


def state_dir() -> Path:
    """Directory for the instance registry and logs; ``ST_PATTERNS_STATE_DIR`` overrides it."""
    override = os.environ.get("ST_PATTERNS_STATE_DIR")
    if override:
        return Path(override).resolve()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "st-patterns"
