from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.routing import Route

from api import count_tokens


@asynccontextmanager
async def lifespan(app):
    import tiktoken

    yield {"tokenizer": tiktoken.get_encoding("cl100k_base")}


app = st.App(
    Path(__file__).resolve().parent / "playground.py",
    lifespan=lifespan,
    routes=[Route("/api/tokens", count_tokens)],
)
