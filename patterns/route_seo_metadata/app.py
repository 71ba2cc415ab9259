"""Pattern: robots.txt, sitemap.xml, a real web app manifest and an icon, served beside Streamlit.

Run from any directory:  uvicorn app:app --app-dir /path/to/route_seo_metadata --port 8501
Set PUBLIC_URL (e.g. https://dashboard.example.com) in production.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from site_config import BACKGROUND_COLOR, DESCRIPTION, PAGES, SHORT_NAME, SITE_NAME, THEME_COLOR
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from streamlit import file_util
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory
ICON = HERE / "assets" / "icon.svg"
if not ICON.is_file():  # fail at start-up, not with a 500 when a browser first asks for the icon
    raise FileNotFoundError(ICON)

# Sitemaps and robots.txt need absolute URLs. Take them from configuration: built from the request's Host
# header they would follow whatever host a client (or a misconfigured proxy) sends.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

MANIFEST = {
    "name": SITE_NAME,
    "short_name": SHORT_NAME,
    "description": DESCRIPTION,
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "theme_color": THEME_COLOR,
    "background_color": BACKGROUND_COLOR,
    # Every icon listed here must resolve: the probes fetch it. Android's install prompt also wants
    # 192x192 and 512x512 PNGs; add them the same way.
    "icons": [{"src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
}

# Streamlit serves the same index.html for every page, titled "Streamlit", with no description and no
# manifest link. Crawlers and link previews read this static HTML (they never open the websocket), so
# serve a copy with our head tags. Read from the installed Streamlit, it stays in step with upgrades.
_INDEX = (Path(file_util.get_static_dir()) / "index.html").read_text("utf-8")
_HEAD_TAGS = (
    f'<meta name="description" content="{html.escape(DESCRIPTION)}" />'
    f'<meta property="og:title" content="{html.escape(SITE_NAME)}" />'
    f'<meta property="og:description" content="{html.escape(DESCRIPTION)}" />'
    f'<meta name="theme-color" content="{THEME_COLOR}" />'
    '<link rel="manifest" href="/manifest.json" />'
)
_PAGE = _INDEX.replace("<title>Streamlit</title>", f"<title>{html.escape(SITE_NAME)}</title>", 1)


def site_url(request: Request) -> str:
    return PUBLIC_URL or str(request.base_url).rstrip("/")


async def page(request: Request) -> HTMLResponse:
    canonical = f'<link rel="canonical" href="{html.escape(site_url(request) + request.url.path)}" />'
    body = _PAGE.replace("</head>", _HEAD_TAGS + canonical + "</head>", 1)
    return HTMLResponse(body, headers={"Cache-Control": "no-cache"})  # as Streamlit does for its HTML


async def robots_txt(request: Request) -> PlainTextResponse:
    lines = [
        "User-agent: *",
        "Disallow: /_stcore/",  # health, websocket, config: Streamlit's endpoints are not pages
        "Disallow: /media/",  # per-session media URLs expire: crawling them only finds 404s
        "Allow: /",
        "",
        f"Sitemap: {site_url(request)}/sitemap.xml",  # must be an absolute URL
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


async def sitemap_xml(request: Request) -> Response:
    base = site_url(request)
    urls = "".join(f"<url><loc>{xml_escape(base + path)}</loc></url>" for path in PAGES)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    return Response(body, media_type="application/xml")


async def manifest_json(request: Request) -> JSONResponse:
    return JSONResponse(MANIFEST, media_type="application/manifest+json")


async def icon_svg(request: Request) -> FileResponse:
    return FileResponse(ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


# User routes are matched before Streamlit's: without them, /robots.txt and /sitemap.xml get the page HTML
# with 200, and /manifest.json gets Streamlit's JS build manifest (not a web app manifest).
app = App(
    HERE / "ui.py",
    routes=[
        *(Route(path, page) for path in PAGES),
        Route("/robots.txt", robots_txt),
        Route("/sitemap.xml", sitemap_xml),
        Route("/manifest.json", manifest_json),
        Route("/icon.svg", icon_svg),
    ],
)
