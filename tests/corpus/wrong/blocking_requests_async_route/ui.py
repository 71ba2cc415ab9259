import httpx
import streamlit as st

st.title("Weather")
city = st.text_input("City", "Lisbon")
st.json(httpx.get("http://127.0.0.1:8501/api/forecast", params={"city": city}, timeout=15).json())
