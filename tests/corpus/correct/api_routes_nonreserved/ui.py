import streamlit as st

st.title("Credit scoring")
income = st.number_input("Income", value=50_000.0)
debt = st.number_input("Debt", value=10_000.0)
st.markdown("![logo](/assets/logo.svg)")
st.write(f"Debt ratio: {debt / max(income, 1):.0%}")
