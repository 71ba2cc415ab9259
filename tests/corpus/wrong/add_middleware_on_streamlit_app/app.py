import os
from pathlib import Path

import streamlit as st
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def products(request):
    return JSONResponse([{"id": 1, "name": "Lamp"}, {"id": 2, "name": "Desk"}])


app = st.App(
    Path(__file__).resolve().parent / "shop.py",
    routes=[Route("/api/products", products)],
)

app.add_middleware(
    CORSMiddleware,
    allow_origins=os.environ.get("CORS_ORIGINS", "http://localhost:3000").split(","),
    allow_methods=["GET"],
)
