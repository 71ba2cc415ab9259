import streamlit as st

st.title("Shop admin")
st.dataframe([{"id": 1, "name": "Lamp"}, {"id": 2, "name": "Desk"}])
