import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

DB_PATH = Path(__file__).resolve().parent / "telemetry.db"
latest: dict[str, float] = {}


async def sample_forever(db: aiosqlite.Connection) -> None:
    while True:
        async with db.execute("SELECT sensor, value FROM readings ORDER BY ts DESC LIMIT 20") as cursor:
            latest.update({sensor: value async for sensor, value in cursor})
        await asyncio.sleep(5)


@asynccontextmanager
async def lifespan(app):
    db = await aiosqlite.connect(DB_PATH)
    sampler = asyncio.create_task(sample_forever(db))
    yield {"sampler": sampler}
    await db.close()


async def readings(request):
    return JSONResponse(latest)


app = App(
    Path(__file__).resolve().parent / "telemetry.py",
    lifespan=lifespan,
    routes=[Route("/api/readings", readings)],
)
