"""The Streamlit page of the app_run_launcher pattern: the script app.py serves, never app.py itself."""

import streamlit as st

st.title("One launcher: python app.py or uvicorn app:app")
st.caption("st-patterns:app_run_launcher")  # marker the probes look for: the script really ran
st.write(f"This script runs as `{__name__}`; the launcher module stays out of every run.")
