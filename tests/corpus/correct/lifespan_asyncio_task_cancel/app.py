import asyncio
import contextlib
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from rates import refresh_rates_forever


@asynccontextmanager
async def lifespan(app):
    refresher = asyncio.create_task(refresh_rates_forever(), name="fx-refresh")
    try:
        yield
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher


app = st.App(Path(__file__).resolve().parent / "converter.py", lifespan=lifespan)
