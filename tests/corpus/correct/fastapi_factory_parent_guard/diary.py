import datetime as dt

import streamlit as st

st.title("Diary")
entry = st.text_area(f"{dt.date.today():%d %B %Y}")
if st.button("Save entry") and entry:
    st.session_state.setdefault("entries", []).append(entry)
    st.success("Saved")
