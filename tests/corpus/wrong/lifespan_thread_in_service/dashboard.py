import streamlit as st

from service import service

st.title("Pipe messages")
st.write(service.messages[-20:])
