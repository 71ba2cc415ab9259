import streamlit as st

st.title("Warehouse browser")
if not st.secrets["warehouse"]["dsn"]:
    st.warning("WAREHOUSE_DSN is not set; showing sample data.")
st.dataframe([{"table": "orders", "rows": 1200}, {"table": "customers", "rows": 310}])
