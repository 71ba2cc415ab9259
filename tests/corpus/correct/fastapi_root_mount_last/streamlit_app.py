import httpx
import streamlit as st

st.title("Pipeline runs")
runs = httpx.get("http://127.0.0.1:8000/api/runs", params={"limit": 50}, timeout=5).json()
st.dataframe(runs, use_container_width=True)
