"""The Streamlit page of the cors_public_api pattern: its own socket stays same-origin only."""

import streamlit as st

st.title("A public CORS API beside a same-origin Streamlit page")
st.caption("st-patterns:cors_public_api")  # marker the probes look for: the script really ran
st.write(
    "Pages on the partner origins may call `/api/*` from their own JavaScript. This page and its websocket "
    "(`/_stcore/stream`) answer no CORS headers and refuse other origins: Streamlit's own check decides that, "
    "not the API's CORSMiddleware."
)
st.code(
    """// On https://partner.example:
const r = await fetch("https://dashboard.example.com/api/prices");
console.log(await r.json());""",
    language="javascript",
)
