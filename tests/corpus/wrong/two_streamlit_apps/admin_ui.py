"""Back-office UI, kept in its own module so main.py stays small."""

from pathlib import Path

import streamlit as st

admin_app = st.App(Path(__file__).resolve().parent / "admin_page.py")
