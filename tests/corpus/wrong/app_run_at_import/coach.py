import streamlit as st

st.title("Running coach")
st.number_input("Weekly distance (km)", min_value=0, value=25)
