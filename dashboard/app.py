"""st-patterns dashboard (placeholder until the dashboard issue lands)."""

import streamlit as st

from st_patterns.services import current

st.set_page_config(page_title="st-patterns", layout="wide")
st.title("st-patterns")
services = current()
st.write(f"{len(services.catalog)} patterns in the catalog.")
