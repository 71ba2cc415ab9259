import datetime as dt

import streamlit as st

st.title("Daily planner")
day = st.date_input("Day", dt.date.today())
st.text_area(f"Plan for {day:%A}")
