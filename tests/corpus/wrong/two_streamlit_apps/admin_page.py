import streamlit as st

st.title("Back office")
st.dataframe([{"user": "ada", "role": "admin"}])
