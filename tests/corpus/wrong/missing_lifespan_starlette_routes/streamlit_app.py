import streamlit as st

st.title("Legacy analyser")
st.text_area("Paste text to analyse")
