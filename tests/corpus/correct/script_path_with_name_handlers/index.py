"""ASGI entry point picked up by the hosting platform's Python runtime (index:app)."""

import os
from pathlib import Path

import streamlit as st

from errors import not_found, report_script_error

app = st.App(
    Path(__file__).with_name("streamlit_app.py"),
    on_script_error=report_script_error,
    exception_handlers={404: not_found},
    secrets={"warehouse": {"dsn": os.environ.get("WAREHOUSE_DSN", ""), "pool_size": 4}},
)
