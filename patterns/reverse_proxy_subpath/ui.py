"""The Streamlit page of the reverse_proxy_subpath pattern: shows what the app learns about its visitor."""

import streamlit as st

st.title("Streamlit behind nginx at a sub-path")
st.caption("st-patterns:reverse_proxy_subpath")  # marker the probes look for: the script really ran
# None means loopback (127.0.0.1 / ::1). Behind a trusted proxy this is the browser's address, not the proxy's.
st.write(f"client address seen by the script: {st.context.ip_address or 'loopback'}")
st.write(f"page URL: {st.context.url}")
