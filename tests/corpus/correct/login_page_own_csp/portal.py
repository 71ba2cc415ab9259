import streamlit as st

st.title("Customer portal")
st.write("Your open tickets")
st.table([{"id": 101, "status": "open"}, {"id": 97, "status": "waiting"}])
