import pandas as pd
import requests
import streamlit as st

API = "http://127.0.0.1:8000/api"

st.set_page_config(page_title="Orders", layout="wide")
st.title("Orders")


@st.cache_data(ttl=10)
def load_orders() -> pd.DataFrame:
    response = requests.get(f"{API}/orders", timeout=5)
    response.raise_for_status()
    return pd.DataFrame(response.json())


orders = load_orders()
if orders.empty:
    st.info("No orders yet.")
else:
    st.metric("Units ordered", int(orders["quantity"].sum()))
    st.dataframe(orders, use_container_width=True)
