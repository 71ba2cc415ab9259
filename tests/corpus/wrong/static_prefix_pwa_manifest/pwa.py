"""PWA head tags. The manifest and icons live in ./static (enableStaticServing = true)."""

import streamlit as st

MANIFEST_LINK = '<link rel="manifest" href="/static/manifest.json">'
THEME = '<meta name="theme-color" content="#2e7d32">'
REGISTER_SW = "<script>navigator.serviceWorker && navigator.serviceWorker.register('/sw.js')</script>"


def inject_pwa_tags() -> None:
    st.html(MANIFEST_LINK + THEME + REGISTER_SW)
