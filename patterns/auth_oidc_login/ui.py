"""The Streamlit page of the auth_oidc_login pattern: only a logged-in browser can open its websocket."""

import streamlit as st

st.title("OpenID Connect login in front of Streamlit")
st.caption("st-patterns:auth_oidc_login")  # marker the probes look for: the script really ran

if not st.user.is_logged_in:
    # The guard let this socket in with a valid identity cookie, so Streamlit itself did not read it: it does
    # so only when the socket carries Streamlit's XSRF token (browsers do) and comes from the redirect_uri origin.
    st.warning("Streamlit did not read your identity cookie on this connection.")
    st.button("Log in again", on_click=st.login)
    st.stop()

# st.user holds the claims of the provider's ID token / userinfo (here: sub and email).
st.write(f"Signed in as **{st.user.get('email') or st.user.get('sub')}** (subject `{st.user.get('sub')}`).")
st.button("Log out", on_click=st.logout)  # clears the identity cookie, then the provider's session if it has one
