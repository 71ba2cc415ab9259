import streamlit as st

import worker

st.title("Jobs")
st.metric("Pending", worker.jobs.qsize())
st.dataframe(worker.processed[-50:])
