import streamlit as st

from consumer import events

st.title("Events")
st.dataframe(events[-100:])
