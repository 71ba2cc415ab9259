import httpx
import streamlit as st

st.title("Token counter")
text = st.text_area("Prompt")
if text:
    st.metric("Tokens", httpx.get("http://127.0.0.1:8501/api/tokens", params={"text": text}, timeout=5).json()["tokens"])
