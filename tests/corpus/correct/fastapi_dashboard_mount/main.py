"""Orders API with the Streamlit dashboard mounted under /dashboard.

Run: uvicorn main:app --port 8000
"""

from pathlib import Path

import streamlit as st
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

HERE = Path(__file__).resolve().parent

st_app = st.App(HERE / "dashboard.py")
app = FastAPI(title="Orders API", lifespan=st_app.lifespan())


class Order(BaseModel):
    sku: str
    quantity: int


ORDERS: dict[int, Order] = {}


@app.get("/api/orders")
def list_orders() -> list[Order]:
    return list(ORDERS.values())


@app.get("/api/orders/{order_id}")
def get_order(order_id: int) -> Order:
    if order_id not in ORDERS:
        raise HTTPException(status_code=404, detail="unknown order")
    return ORDERS[order_id]


@app.post("/api/orders", status_code=201)
async def create_order(order: Order) -> dict:
    order_id = len(ORDERS) + 1
    ORDERS[order_id] = order
    return {"id": order_id}


app.mount("/dashboard", st_app)
