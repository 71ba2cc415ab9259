import httpx
import streamlit as st

st.title("Quotes")
symbol = st.text_input("Symbol", value="ACME")

if st.button("Fetch"):
    reply = httpx.get(f"http://127.0.0.1:8000/api/quotes/{symbol}", timeout=10)
    if reply.is_success:
        st.json(reply.json())
    else:
        st.error(f"Upstream answered {reply.status_code}")
