import streamlit as st

st.title("Warm start")
st.write("The connection pool is opened before the first session.")
