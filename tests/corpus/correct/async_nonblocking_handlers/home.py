import streamlit as st

st.title("Service status")
st.write("See /api/status for the upstream summary.")
