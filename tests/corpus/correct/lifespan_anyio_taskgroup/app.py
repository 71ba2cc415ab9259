from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from feed import PriceFeed


@asynccontextmanager
async def lifespan(st_app):
    async with anyio.create_task_group() as tg:
        feed = PriceFeed()
        tg.start_soon(feed.run)
        yield {"feed": feed}
        tg.cancel_scope.cancel()


async def latest(request):
    return JSONResponse(app.state["feed"].latest)


app = App(
    Path(__file__).resolve().parent / "ticker.py",
    lifespan=lifespan,
    routes=[Route("/api/latest", latest)],
)
