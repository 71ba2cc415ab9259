import streamlit as st

st.title("Semantic search")
st.text_input("Query")
