"""Routes of the new product surface; the old Streamlit UI stays reachable at /legacy."""

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

INDEX = """<!doctype html><title>Newsroom</title>
<link rel="stylesheet" href="/assets/site.css">
<h1>Newsroom</h1><p><a href="/legacy/">Old dashboard</a></p>"""


async def index(request: Request) -> HTMLResponse:
    return HTMLResponse(INDEX)


async def headlines(request: Request) -> JSONResponse:
    return JSONResponse([{"title": "Markets open higher"}])


def create_frontend_routes() -> list[Route]:
    return [Route("/", index), Route("/api/headlines", headlines)]
