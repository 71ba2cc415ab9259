"""Builds the Streamlit App; main.py mounts it."""

from pathlib import Path

from streamlit.starlette import App

SCRIPT = Path(__file__).resolve().parent / "frontend.py"

st_app = App(SCRIPT, secrets={"api": {"base_url": "http://127.0.0.1:8000/api"}})
