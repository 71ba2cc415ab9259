import httpx
import streamlit as st

st.title("Prices")


@st.fragment(run_every=15)
def board():
    prices = httpx.get("http://127.0.0.1:8501/api/latest", timeout=5).json()
    st.dataframe([{"symbol": k, "price": v} for k, v in prices.items()])


board()
