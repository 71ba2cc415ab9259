"""Installable-app plumbing: manifest and service worker. Files in ./static are served at /app/static/."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MANIFEST = {
    "name": "Field Notes",
    "short_name": "Notes",
    "start_url": "/",
    "display": "standalone",
    "theme_color": "#0f766e",
    "icons": [
        {"src": "/app/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/app/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
    ],
}

SERVICE_WORKER = """
const CACHE = "field-notes-v3";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(["/app/static/offline.html"])));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname.startsWith("/_stcore/")) return;
  event.respondWith(fetch(event.request).catch(() => caches.match("/app/static/offline.html")));
});
"""


async def manifest(request: Request) -> JSONResponse:
    return JSONResponse(MANIFEST, media_type="application/manifest+json")


async def service_worker(request: Request) -> Response:
    return Response(
        SERVICE_WORKER,
        media_type="application/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
