import streamlit as st

st.title("Private notes")
st.text_area("Note")
