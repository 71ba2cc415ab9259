import streamlit as st

st.title("Request tracing demo")
st.write(st.context.headers.get("x-request-id", "no id yet"))
