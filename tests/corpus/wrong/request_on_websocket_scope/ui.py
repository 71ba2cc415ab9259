import streamlit as st

st.title("Token-protected tools")
st.code("curl -H 'Authorization: Bearer …' https://tools.example/api")
