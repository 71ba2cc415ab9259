"""The Streamlit page of the container_deploy pattern: shows who the process is and whether its secret arrived."""

import os

import streamlit as st

st.title("Streamlit in a production container")
st.caption("st-patterns:container_deploy")  # marker the probes look for: the script really ran
# The script runs inside the server process, so it has the same uid and environment as the routes.
st.write(f"Serving process uid: {os.getuid()}")
st.write(f"API token configured: {'yes' if os.environ.get('APP_API_TOKEN') else 'no'}")
