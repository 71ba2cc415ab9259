"""The Streamlit page of the websocket_route pattern: the same prices the /ws/ticks feed streams."""

import streamlit as st
from ticker import SYMBOLS, price  # same folder: Streamlit puts the script's folder on sys.path

st.title("A live websocket feed beside Streamlit's own socket")
st.caption("st-patterns:websocket_route")  # marker the probes look for: the script really ran
st.write("The guard that let this page's websocket in also guards `/ws/ticks`, the JSON feed below.")
cols = st.columns(len(SYMBOLS))
for col, symbol in zip(cols, SYMBOLS, strict=True):
    col.metric(symbol, f"{price(symbol):.2f}")
st.code(
    """// Same-origin page: the browser sends the session cookie and its Origin with the handshake.
const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/ticks`);
ws.onopen = () => ws.send(JSON.stringify({subscribe: "ACME"}));
ws.onmessage = (event) => console.log(JSON.parse(event.data));""",
    language="javascript",
)
