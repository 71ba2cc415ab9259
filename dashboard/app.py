"""st-patterns dashboard: instances, patterns and validation results, read from the server's live services.

Streamlit runs this script in the server's own process (``Mount("/dashboard", st.App(...))``), so
``st_patterns.services.current()`` is the very registry the MCP tools use. The pages live beside this file and
are imported as the package ``st_patterns_dashboard``: Streamlit puts this folder on ``sys.path`` only while a
run lasts (and concurrent sessions race on it), and plain module names could clash with other installed modules.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import streamlit as st

PACKAGE = "st_patterns_dashboard"


def _dashboard_package() -> ModuleType:
    """Register this folder as the package (once per process) and return its navigation module."""
    if PACKAGE not in sys.modules:
        spec = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
        spec.submodule_search_locations = [str(Path(__file__).resolve().parent)]
        sys.modules[PACKAGE] = importlib.util.module_from_spec(spec)
    return importlib.import_module(f"{PACKAGE}.nav")


st.set_page_config(page_title="st-patterns", page_icon="🧩", layout="wide")
_dashboard_package().run()
