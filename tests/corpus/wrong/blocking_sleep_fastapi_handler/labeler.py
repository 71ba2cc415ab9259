import streamlit as st

st.title("Labeling queue")
st.radio("Label", ["cat", "dog", "other"], horizontal=True)
