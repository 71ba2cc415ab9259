"""The Streamlit page of the route_custom_endpoints pattern."""

import streamlit as st

st.title("Streamlit with plain Starlette routes")
st.write("st-patterns:route_custom_endpoints")  # marker the probes look for: the script really ran
st.caption("The same process answers GET /api/status, POST /api/echo and POST /api/webhook.")
