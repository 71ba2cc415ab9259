"""The Streamlit page of the mount_streamlit_as_subapp pattern, served under /dashboard/."""

import streamlit as st

st.title("FastAPI root, Streamlit at /dashboard/")
st.write("st-patterns:mount_streamlit_as_subapp")  # marker the probes look for: the script really ran
st.caption("The same process answers the FastAPI routes at / and /docs.")
