"""The Streamlit page of the observability_otel pattern. The script itself needs no tracing code."""

import streamlit as st

st.title("OpenTelemetry traces for routes and the websocket")
st.write("st-patterns:observability_otel")  # marker the probes look for: the script really ran
region = st.selectbox("Region", ["eu", "us", "apac"])
st.caption(
    f"This session's websocket (/_stcore/stream) is one server span, ended when the tab closes. "
    f"GET /api/report/{region} makes a server span and a build_report child span; "
    "GET /api/traces (from this machine only) lists recent spans."
)
