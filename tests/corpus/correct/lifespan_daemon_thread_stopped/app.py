import threading
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

import worker


@asynccontextmanager
async def lifespan(app):
    consumer = threading.Thread(target=worker.consume, name="job-consumer", daemon=True)
    consumer.start()
    flusher = threading.Thread(target=worker.flush_metrics, name="metrics")
    flusher.daemon = True
    flusher.start()
    yield
    worker.stop.set()
    consumer.join(timeout=5)
    flusher.join(timeout=5)


async def enqueue(request):
    worker.jobs.put(await request.json())
    return JSONResponse({"queued": worker.jobs.qsize()}, status_code=202)


app = App(
    Path(__file__).resolve().parent / "jobs_ui.py",
    lifespan=lifespan,
    routes=[Route("/api/jobs", enqueue, methods=["POST"])],
)
