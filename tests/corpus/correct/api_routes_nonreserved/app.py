import asyncio
import random
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect
from streamlit.starlette import App

from api import api

HERE = Path(__file__).resolve().parent


async def healthz(request):
    return PlainTextResponse("ok")


async def robots(request):
    return PlainTextResponse("User-agent: *\nDisallow: /api/\n")


async def sitemap(request):
    base = str(request.base_url).rstrip("/")
    body = f'<?xml version="1.0"?><urlset><url><loc>{base}/</loc></url></urlset>'
    return Response(body, media_type="application/xml")


async def live_scores(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_json({"score": random.random()})
            await asyncio.sleep(1.0)
    except WebSocketDisconnect:
        pass


app = App(
    HERE / "ui.py",
    routes=[
        Route("/healthz", healthz),
        Route("/robots.txt", robots),
        Route("/sitemap.xml", sitemap),
        Mount("/api", app=api),
        Mount("/assets", app=StaticFiles(directory=HERE / "assets"), name="assets"),
        WebSocketRoute("/live/scores", live_scores),
    ],
)
