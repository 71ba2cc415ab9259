from pathlib import Path

import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from landing import landing


async def robots(request):
    return PlainTextResponse("User-agent: *\nAllow: /welcome\n")


app = st.App(
    Path(__file__).resolve().parent / "forecast.py",
    routes=[
        Route("/welcome", landing),
        Route("/robots.txt", robots),
    ],
)
