import streamlit as st

st.write("media-id:abc123 st-patterns:needs_missing")
