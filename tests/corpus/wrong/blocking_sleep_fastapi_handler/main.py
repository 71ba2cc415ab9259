import time
from pathlib import Path

from fastapi import FastAPI
from streamlit.starlette import App

st_app = App(Path(__file__).resolve().parent / "labeler.py")
app = FastAPI(lifespan=st_app.lifespan())

JOBS: dict[str, str] = {}


@app.post("/api/jobs/{job_id}/retry")
async def retry_job(job_id: str) -> dict:
    for attempt in range(3):
        if JOBS.get(job_id) == "done":
            break
        time.sleep(2 ** attempt)
    return {"job": job_id, "status": JOBS.get(job_id, "unknown")}


app.mount("/label", st_app)
