"""Pattern: one launcher module, two ways to serve it. `python app.py` starts it through App.run(config=...)
(Streamlit >= 1.59); `uvicorn app:app` serves the very same `app`. The launcher is not the Streamlit script:
it serves ui.py, and does nothing heavy at import.

Run from any directory:
    PORT=8501 python /path/to/app_run_launcher/app.py
    uvicorn app:app --app-dir /path/to/app_run_launcher --port 8501
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory


async def launcher_info(request: Request) -> JSONResponse:
    # __name__ is "__main__" when this file was started with `python app.py`, "app" when uvicorn imported it.
    started_by = "App.run (python app.py)" if __name__ == "__main__" else "an ASGI server (uvicorn app:app)"
    return JSONResponse({"module": __name__, "started_by": started_by})


# Only cheap work at module level: uvicorn imports this module, and so would any tool or test.
# The script is ui.py, NOT __file__: Streamlit runs its script as __main__, so App(__file__) would run this
# launcher again on every page load and hit app.run() below inside the server ("already running").
app = App(HERE / "ui.py", routes=[Route("/api/launcher", launcher_info)])


def main() -> None:
    if not hasattr(app, "run"):  # App.run arrived in Streamlit 1.59; uvicorn app:app works on 1.53+
        sys.exit("App.run needs Streamlit >= 1.59: serve this module with `uvicorn app:app` instead.")
    # Plain settings may go in config=...; sensitive ones (server.cookieSecret) are refused there:
    # pass them as STREAMLIT_SERVER_COOKIE_SECRET in the environment or in .streamlit/config.toml.
    app.run(
        config={
            "server.port": int(os.environ.get("PORT", "8501")),
            "server.address": os.environ.get("HOST", "127.0.0.1"),  # loopback unless told otherwise
            "server.headless": True,  # no browser tab from a server process
            "browser.gatherUsageStats": False,
        }
    )


# The guard is the whole trick: `uvicorn app:app` imports this module without starting a second server.
if __name__ == "__main__":
    main()
