import streamlit as st

st.title("Catalog")
st.dataframe([{"sku": "A-1", "name": "Anchor"}, {"sku": "B-7", "name": "Buoy"}])
