"""The Streamlit page of the mount_flask pattern."""

import streamlit as st

st.title("Streamlit root, Flask at /flask/")
st.write("st-patterns:mount_flask")  # marker the probes look for: the script really ran
st.caption("The same process answers Flask's views under /flask/.")
