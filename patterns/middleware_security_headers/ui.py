"""The Streamlit page of the middleware_security_headers pattern: a few elements that need the CSP's allowances."""

import streamlit as st

st.title("Security headers on every response")
st.write("st-patterns:middleware_security_headers")  # marker the probes look for: the script really ran
st.caption("Open the browser's devtools: the page carries a CSP and no violation is reported.")
if st.button("Rerun over the websocket"):
    st.success("The websocket is allowed by connect-src.")
st.code("curl -sI http://127.0.0.1:8501/ | grep -i -E 'content-security|x-frame|nosniff'", language="bash")
