"""Pattern: an st.App app shipped as a production container image (see the Dockerfile beside this file).

The app is deliberately small: the pattern is the Dockerfile, .dockerignore, requirements.txt and
.streamlit/config.toml. Two diagnostic JSON routes let you (and the probes) check a running container from outside:
    /api/whoami  the uid the process runs as, whether it could rewrite its own code, how it sees the request
    /api/config  whether the run-time secret arrived (yes/no, never the value) and which files the image holds
Both tell an attacker a little about the deployment: drop them, or put them behind your auth, in a real app.

Run from any directory:  uvicorn app:app --app-dir /path/to/container_deploy --port 8501
As a container:          docker build -t my-app . && docker run -p 127.0.0.1:8501:8501 -e APP_API_TOKEN=... my-app
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory


def code_writable() -> bool:
    """True when this process could change its own code: create files here or rewrite a file of the app.

    os.access checks the real uid's permissions (root passes every check), so in the image, where root owns
    /app and the app runs as uid 10001, this is False.
    """
    return any(os.access(path, os.W_OK) for path in (HERE, *HERE.iterdir()))


async def whoami(request: Request) -> JSONResponse:
    # request.client is the peer uvicorn reports: the proxy's X-Forwarded-For value only when the connecting
    # address is listed in FORWARDED_ALLOW_IPS, else the address that really connected.
    client = request.client.host if request.client else None
    return JSONResponse(
        {
            "uid": os.getuid(),
            "gid": os.getgid(),
            "code_writable": code_writable(),
            "client": client,
            "scheme": request.url.scheme,
        }
    )


async def config(request: Request) -> JSONResponse:
    # The secret comes from the environment at `docker run` time (-e, an env file, an orchestrator's secret):
    # never from the image. Report only whether it is set, never the value or a hash of it.
    return JSONResponse(
        {
            "api_token_set": bool(os.environ.get("APP_API_TOKEN")),
            "image_files": sorted(os.listdir(HERE)),  # in the image: only what .dockerignore lets in
        }
    )


app = App(HERE / "ui.py", routes=[Mount("/api", routes=[Route("/whoami", whoami), Route("/config", config)])])
