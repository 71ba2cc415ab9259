import streamlit as st

st.title("Welcome")
st.write("Browse the catalogue below.")
