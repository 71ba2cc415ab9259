import os
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from headers import STREAMLIT_CSP, SecurityHeaders

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

app = st.App(
    Path(__file__).resolve().parent / "catalog.py",
    middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS),
        Middleware(GZipMiddleware, minimum_size=1000),
        Middleware(SecurityHeaders, csp=STREAMLIT_CSP, hsts=os.environ.get("HTTPS") == "1"),
    ],
)
