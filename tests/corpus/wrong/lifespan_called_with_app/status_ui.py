import streamlit as st

st.title("Service status")
st.success("All systems operational")
