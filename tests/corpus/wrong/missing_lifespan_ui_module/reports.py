import httpx
import streamlit as st

st.title("Support summary")
summary = httpx.get("http://127.0.0.1:8000/api/summary", timeout=5).json()
st.metric("Open tickets", summary["open_tickets"])
