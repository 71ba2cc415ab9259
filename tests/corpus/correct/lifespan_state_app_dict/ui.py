import httpx
import streamlit as st

st.title("Churn risk")
tenure = st.slider("Tenure (months)", 0, 72, 12)
spend = st.number_input("Monthly spend", value=40.0)
if st.button("Score"):
    reply = httpx.post("http://127.0.0.1:8501/api/predict", json={"features": [tenure, spend]}, timeout=10)
    st.metric("Churn probability", f"{reply.json()['churn_probability']:.1%}")
