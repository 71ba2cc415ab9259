from pathlib import Path

from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

from warmup import close_pool, open_pool, warm_cache


async def lifespan(app):
    pool = await open_pool()
    await warm_cache(pool)
    yield {"pool": pool}
    await close_pool(pool)


async def ready(request):
    return JSONResponse({"ready": "pool" in app.state})


app = App(
    Path(__file__).resolve().parent / "main_page.py",
    lifespan=lifespan,
    routes=[Route("/api/ready", ready)],
)
