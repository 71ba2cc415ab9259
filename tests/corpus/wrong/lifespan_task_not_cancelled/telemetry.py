import httpx
import streamlit as st

st.title("Telemetry")
st.json(httpx.get("http://127.0.0.1:8501/api/readings", timeout=5).json())
