import requests
import streamlit as st

st.title("KPIs")
kpis = requests.get("http://127.0.0.1:8000/api/kpis", timeout=5).json()
left, right = st.columns(2)
left.metric("Revenue", f"{kpis['revenue']:.0f} €")
right.metric("Orders", kpis["orders"])
