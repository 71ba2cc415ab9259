import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from consumer import consume_forever, inbox

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app):
    threading.Thread(target=consume_forever, name="event-consumer").start()
    log.info("event consumer started")
    yield
    log.info("shutting down")


async def ingest(request):
    inbox.put(await request.body())
    return JSONResponse({"queued": inbox.qsize()}, status_code=202)


app = App(
    Path(__file__).resolve().parent / "events_ui.py",
    lifespan=lifespan,
    routes=[Route("/api/events", ingest, methods=["POST"])],
)
