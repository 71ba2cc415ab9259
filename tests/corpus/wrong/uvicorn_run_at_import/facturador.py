import streamlit as st

from db import get_summary

st.title("Facturador")
summary = get_summary()
st.metric("Pagos pendientes", summary["pendientes"])
