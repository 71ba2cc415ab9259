"""API first; the Streamlit reports live under /reports."""

from fastapi import FastAPI

from ui import st_app

app = FastAPI(title="Reporting")


@app.get("/api/summary")
async def summary() -> dict:
    return {"open_tickets": 12, "closed_today": 4}


app.mount("/reports", st_app)
