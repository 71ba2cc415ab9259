"""FastAPI owns /api; Streamlit is mounted at the root, after every API route."""

from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI, Request
from streamlit.starlette import App as StreamlitApp

from settings import DATABASE_URL

streamlit_app = StreamlitApp(Path(__file__).resolve().parent / "streamlit_app.py")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=5)
    try:
        async with streamlit_app.lifespan()(app):
            yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/api/runs")
async def runs(request: Request, limit: int = 20) -> list[dict]:
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, status FROM runs ORDER BY id DESC LIMIT $1", limit)
    return [dict(row) for row in rows]


app.mount("/", streamlit_app)
