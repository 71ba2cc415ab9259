import httpx
import streamlit as st

st.title("Inventory")
items = httpx.get(f"{st.secrets['api']['base_url']}/items", timeout=5).json()
st.dataframe(items)
out_of_stock = [i["sku"] for i in items if i["stock"] == 0]
if out_of_stock:
    st.warning("Out of stock: " + ", ".join(out_of_stock))
