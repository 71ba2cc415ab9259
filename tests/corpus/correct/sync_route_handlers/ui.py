import sqlite3
from pathlib import Path

import streamlit as st

DB = Path(__file__).resolve().parent / "inventory.db"

st.title("Inventory")
with sqlite3.connect(DB) as conn:
    rows = conn.execute("SELECT sku, name, stock FROM items").fetchall()
st.dataframe(rows)
st.link_button("Download CSV", "/api/export.csv")
