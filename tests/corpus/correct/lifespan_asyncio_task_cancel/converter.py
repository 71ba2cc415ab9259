import streamlit as st

from rates import RATES

st.title("Currency converter")
amount = st.number_input("Amount in EUR", min_value=0.0, value=100.0)
currency = st.selectbox("To", sorted(RATES) or ["USD"])
st.metric(currency, f"{amount * RATES.get(currency, 1.0):.2f}")
