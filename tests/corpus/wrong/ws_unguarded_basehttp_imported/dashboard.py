import streamlit as st

st.title("Revenue dashboard")
st.bar_chart({"Q1": [120], "Q2": [135], "Q3": [160]})
