from pathlib import Path

import streamlit as st
from fastapi import FastAPI

streamlit_app = st.App(Path(__file__).resolve().parent / "dashboard.py")
app = FastAPI(lifespan=streamlit_app.lifespan)


@app.get("/api/data")
async def get_data() -> dict:
    return {"data": [1, 2, 3]}


app.mount("/dashboard", streamlit_app)
