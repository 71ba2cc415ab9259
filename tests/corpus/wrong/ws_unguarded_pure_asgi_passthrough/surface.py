import streamlit as st

st.title("Remote surface")
st.chat_input("Ask the agent")
