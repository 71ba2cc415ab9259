"""The Streamlit page of the mount_django pattern."""

import streamlit as st

st.title("Streamlit root, Django at /django/")
st.write("st-patterns:mount_django")  # marker the probes look for: the script really ran
st.caption("The same process answers Django's views under /django/.")
