from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route
from streamlit.starlette import App

SW = "self.addEventListener('fetch', (e) => e.respondWith(fetch(e.request)));"


async def service_worker(request):
    return Response(SW, media_type="application/javascript", headers={"Service-Worker-Allowed": "/"})


app = App(Path(__file__).resolve().parent / "dairy_app.py", routes=[Route("/sw.js", service_worker)])
