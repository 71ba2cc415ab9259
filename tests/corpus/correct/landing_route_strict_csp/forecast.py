import numpy as np
import streamlit as st

st.set_page_config(page_title="Forecast Studio")
st.title("Forecast")
horizon = st.slider("Weeks ahead", 1, 12, 4)
st.line_chart(np.cumsum(np.random.default_rng(7).normal(size=horizon)))
