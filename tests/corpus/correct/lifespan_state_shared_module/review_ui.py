import streamlit as st

import resources

st.title("Review triage")
text = st.text_area("Customer review")
if text:
    verdict = resources.classifier()(text)[0]
    st.metric(verdict["label"], f"{verdict['score']:.0%}")
