"""The Streamlit page of the rate_limit pattern: never throttled, whatever the API's clients do."""

import streamlit as st

st.title("Rate-limited API beside an unthrottled Streamlit page")
st.caption("st-patterns:rate_limit")  # marker the probes look for: the script really ran
st.write(
    "`/api/*` allows a burst of 5 requests per client IP, refilled at 5 per minute; the 6th answers "
    "`429 Too Many Requests` with `Retry-After`. This page, its static files, `/_stcore/` and the websocket "
    "are outside the limiter, so reruns and reconnects are never refused."
)
