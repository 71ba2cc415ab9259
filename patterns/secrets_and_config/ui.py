"""The Streamlit page of the secrets_and_config pattern: it uses st.secrets and shows only THAT keys are set."""

import streamlit as st

st.title("Secrets from the environment, config in the right order")
st.caption("st-patterns:secrets_and_config")  # marker the probes look for: the script really ran

weather = st.secrets["weather"]  # a [section], filled by App(secrets=...) from WEATHER_API_KEY
db = st.secrets["db"]

# Never st.write(st.secrets) or the value itself: whatever the script renders is sent to the browser.
st.write(f"Weather API key: {'configured' if weather['api_key'] else 'missing'} (hidden)")
st.write(f"Database: {db['user']}@{db['host']}, password {'configured' if db['password'] else 'missing'}")

st.subheader("Effective config")
st.write(f"server.maxUploadSize = {st.get_option('server.maxUploadSize')} MB (from MAX_UPLOAD_MB)")
st.write(f"client.toolbarMode = {st.get_option('client.toolbarMode')} (from .streamlit/config.toml)")
st.write(f"client.showErrorDetails = {st.get_option('client.showErrorDetails')} (from .streamlit/config.toml)")
