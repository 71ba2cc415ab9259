import streamlit as st

st.title("Data")
st.bar_chart([1, 2, 3])
