"""Pattern: Streamlit served under a sub-path (/tools/dash/) behind nginx, websockets and client address intact.

Three things must agree for an app behind a reverse proxy at a sub-path:

1. the prefix: Streamlit's ``server.baseUrlPath`` is set in code BEFORE ``App()`` is built, and the app's own
   routes spell the same prefix (``App(routes=...)`` are matched literally, Streamlit does not prefix them);
2. the websocket: nginx must forward ``Upgrade``/``Connection`` over HTTP/1.1 (see nginx.conf);
3. the client address and scheme: uvicorn rewrites them from X-Forwarded-For / X-Forwarded-Proto ONLY for
   connections coming from the proxy's address (``FORWARDED_ALLOW_IPS``), never for anyone else.

Run from any directory (nginx in front connects from 127.0.0.2, see nginx.conf's proxy_bind):
    FORWARDED_ALLOW_IPS=127.0.0.2 uvicorn app:app --app-dir /path/to/reverse_proxy_subpath --port 8501
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App
from streamlit.web import bootstrap

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# The ONE place the sub-path is spelled; nginx's `location /tools/dash/` must match it.
BASE_PATH = "/tools/dash"

# Config must be in place before App() builds its routes: STREAMLIT_SERVER_BASE_URL_PATH is ignored under plain
# uvicorn. Do NOT also wrap the app in Mount(BASE_PATH, ...): the prefix would then be expected twice.
bootstrap.load_config_options(
    {
        "server.baseUrlPath": BASE_PATH,
        "server.fileWatcherType": "none",
        "browser.gatherUsageStats": False,
    }
)


async def whoami(request: Request) -> JSONResponse:
    """The client address and scheme as the app sees them (after uvicorn's proxy-header handling)."""
    client = request.client.host if request.client else None
    return JSONResponse({"client": client, "scheme": request.url.scheme, "path": request.url.path})


app = App(
    HERE / "ui.py",
    # User routes are NOT put under baseUrlPath by Streamlit: give them the prefix yourself.
    routes=[Route(f"{BASE_PATH}/api/whoami", whoami)],
)
