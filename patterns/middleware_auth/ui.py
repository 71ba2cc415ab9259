"""The Streamlit page of the middleware_auth pattern: only a signed-in browser can open its websocket."""

import streamlit as st

st.title("Signed-cookie login in front of Streamlit")
st.write("st-patterns:middleware_auth")  # marker the probes look for: the script really ran
# The middleware already refused any websocket without a valid cookie; here we only show who it was.
# The cookie is HttpOnly: page JavaScript cannot read it, but the server-side script can.
session = st.context.cookies.get("st_session", "")
st.write(f"Signed in as **{session.rpartition('.')[0].rpartition('.')[0] or 'unknown'}**.")
st.markdown('<a href="/logout" target="_self">Sign out</a>', unsafe_allow_html=True)
