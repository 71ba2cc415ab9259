"""The Streamlit page of the mount_fastapi pattern: it calls the API it is mounted beside."""

import streamlit as st

st.title("Streamlit root, FastAPI at /api")
st.write("st-patterns:mount_fastapi")  # marker the probes look for: the script really ran
st.caption("The same process answers /api/hello (JSON) and /api/docs (OpenAPI).")
