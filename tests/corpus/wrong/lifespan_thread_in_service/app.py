from contextlib import asynccontextmanager
from pathlib import Path

from streamlit.starlette import App

from service import service


@asynccontextmanager
async def lifespan(app):
    await service.start()
    yield
    await service.stop()


app = App(Path(__file__).resolve().parent / "dashboard.py", lifespan=lifespan)
