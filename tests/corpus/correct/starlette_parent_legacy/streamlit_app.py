import streamlit as st

st.title("Newsroom (legacy)")
st.write("This dashboard is being replaced; data is shared with the new site.")
