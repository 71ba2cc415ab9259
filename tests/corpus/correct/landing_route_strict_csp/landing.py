"""Static marketing page served next to the Streamlit app, with its own strict policy."""

from starlette.requests import Request
from starlette.responses import HTMLResponse

LANDING_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Forecast Studio</title>
<link rel="stylesheet" href="/app/static/landing.css"></head>
<body>
  <h1>Forecast Studio</h1>
  <p>Demand forecasts for every store, refreshed nightly.</p>
  <a href="/">Open the app</a>
</body>
</html>"""


async def landing(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": LANDING_CSP})
