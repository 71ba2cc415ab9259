"""The Streamlit page of the middleware_cookies pattern: it reads the cookies the middleware and /prefs set."""

import streamlit as st

st.title("Cookies set by middleware, read by the script")
st.write("st-patterns:middleware_cookies")  # marker the probes look for: the script really ran

# st.context.cookies holds the cookies the browser sent with the websocket handshake (HttpOnly ones too).
# The script cannot SET cookies: there is no HTTP response to carry them, hence the /prefs route.
cookies = st.context.cookies
visitor = cookies.get("visitor_id")
units = cookies.get("units") if cookies.get("units") in ("metric", "imperial") else "metric"  # still user input
st.write(f"Visitor id: `{visitor}`" if visitor else "No visitor id yet: reload the page.")
st.metric("Distance today", "5 km" if units == "metric" else "3.1 mi")
st.markdown('<a href="/prefs" target="_self">Change units</a>', unsafe_allow_html=True)
