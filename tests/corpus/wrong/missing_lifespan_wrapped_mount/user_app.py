import httpx
import streamlit as st

st.title("Users")
st.table(httpx.get("http://127.0.0.1:8000/api/users", timeout=5).json())
