"""The Streamlit page of the middleware_ip_whitelist pattern: only allowed networks ever reach this script."""

import streamlit as st

st.title("IP allow-list in front of Streamlit")
st.write("st-patterns:middleware_ip_whitelist")  # marker the probes look for: the script really ran
st.caption("The page and the websocket were both checked against the CIDR allow-list before this ran.")
