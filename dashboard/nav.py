"""The dashboard's pages and the navigation between them."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

HERE = Path(__file__).resolve().parent
CSS = """
<style>
[data-testid="stMainBlockContainer"] {padding-top: 4.5rem;}
[class*="st-key-instance-"] button, .st-key-instances-toolbar button {min-height: 2rem; padding: 0.1rem 0.65rem;}
[class*="st-key-instance-"] {border-bottom: 1px solid rgba(49, 51, 63, 0.08); padding-bottom: 0.25rem;}
.st-key-instances-header {border-bottom: 2px solid rgba(49, 51, 63, 0.15); padding-bottom: 0.1rem;}
.st-key-instances-header p {color: rgba(49, 51, 63, 0.65); font-size: 0.85rem;}
[class*="st-key-instance-"] code {font-size: 0.75rem;}
</style>
"""


def pages() -> list[StreamlitPage]:
    """The pages, as files beside this module (so ``AppTest.switch_page`` can open them too)."""
    return [
        st.Page(
            HERE / "page_instances.py", title="Instances", icon=":material/dns:", url_path="instances", default=True
        ),
        st.Page(HERE / "page_patterns.py", title="Patterns", icon=":material/category:", url_path="patterns"),
        st.Page(HERE / "page_validation.py", title="Validation", icon=":material/fact_check:", url_path="validation"),
        st.Page(HERE / "page_versions.py", title="Versions", icon=":material/history:", url_path="versions"),
    ]


def run() -> None:
    """Draw the navigation and run the chosen page."""
    page = st.navigation(pages(), position="top")
    # An emoji favicon is an inline SVG; a :material: page icon would make the browser fetch it from Google.
    st.set_page_config(page_title=f"{page.title} · st-patterns", page_icon="🧩")
    st.html(CSS)
    page.run()
