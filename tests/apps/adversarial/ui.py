import streamlit as st

st.title("adversarial")
st.write("still serving")
