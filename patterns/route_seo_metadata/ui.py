"""The Streamlit page of the route_seo_metadata pattern."""

import streamlit as st
from site_config import DESCRIPTION, SITE_NAME

# Once the app runs, the browser tab title comes from here; keep it equal to the <title> app.py serves.
st.set_page_config(page_title=SITE_NAME)

st.title(SITE_NAME)
st.write("st-patterns:route_seo_metadata")  # marker the probes look for: the script really ran
st.caption(DESCRIPTION)
st.markdown(
    "Served beside this page: [robots.txt](/robots.txt) · [sitemap.xml](/sitemap.xml) · "
    "[manifest.json](/manifest.json) · [icon](/icon.svg)"
)
