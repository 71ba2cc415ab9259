import streamlit as st

st.title("Ops console")
st.metric("Queue depth", 42)
