import httpx
import streamlit as st

st.title("Document extraction")
upload = st.file_uploader("Scan", type=["png", "jpg"])
if upload is not None:
    reply = httpx.post("http://127.0.0.1:9578/api/ocr", files={"file": upload.getvalue()}, timeout=60)
    st.text_area("Text", reply.json()["text"], height=300)
