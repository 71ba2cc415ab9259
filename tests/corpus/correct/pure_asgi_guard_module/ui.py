import streamlit as st

st.title("Team reports")
st.caption("Internal use only")
st.line_chart({"signups": [3, 5, 8, 13, 21]})
