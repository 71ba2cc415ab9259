"""Test-only pattern whose sidecar's program is missing: validation must skip it (it never boots)."""

from pathlib import Path

from streamlit.starlette import App

app = App(Path(__file__).with_name("ui.py"))
