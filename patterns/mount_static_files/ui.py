"""The Streamlit page of the mount_static_files pattern: it links to files served beside it."""

import streamlit as st

st.title("Streamlit with static files")
st.write("st-patterns:mount_static_files")  # marker the probes look for: the script really ran
st.markdown("Served by the same process: [data.json](/assets/data.json) · [static site](/site/)")
