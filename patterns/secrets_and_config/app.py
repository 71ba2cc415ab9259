"""Pattern: secrets from the environment through App(secrets=...), config set in the right order, and no secret
in the page, the log or an error response.

Run from any directory (demo values; set real ones in production):
    WEATHER_API_KEY=... DB_PASSWORD=... uvicorn app:app --app-dir /path/to/secrets_and_config --port 8501
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from streamlit.starlette import App
from streamlit.web import bootstrap

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

log = logging.getLogger("secrets_and_config")
if not log.handlers:  # under plain uvicorn the root logger has no handler
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


REQUIRED = ("WEATHER_API_KEY", "DB_PASSWORD")


# Everything the script reads through st.secrets, built from the environment. Nested dicts become
# [sections]: st.secrets["weather"]["api_key"]. App() deep-copies and type-checks this mapping.
SECRETS = {
    "weather": {"api_key": os.environ.get("WEATHER_API_KEY", ""), "base_url": "https://api.weather.example/v1"},
    "db": {
        "host": os.environ.get("DB_HOST", "localhost"),
        "user": "report",
        "password": os.environ.get("DB_PASSWORD", ""),
    },
}
KNOWN_SECRETS = [v for v in (SECRETS["weather"]["api_key"], SECRETS["db"]["password"]) if v]


def redact(text: str) -> str:
    """Replace every known secret value in a text bound for a log or a response."""
    for value in KNOWN_SECRETS:
        text = text.replace(value, "***")
    return text


class UpstreamError(Exception):
    """A failed call to the weather API. Its message holds the URL, which carries the key as a query parameter."""


def fetch_forecast(city: str) -> dict[str, object]:
    """Stands in for an HTTP client call that fails; real clients put the full URL in their exceptions."""
    key = SECRETS["weather"]["api_key"]
    url = f"{SECRETS['weather']['base_url']}/forecast?city={city}&key={key}"
    raise UpstreamError(f"503 Service Unavailable for url {url}")


async def config_summary(request: Request) -> JSONResponse:
    # Report THAT a secret is configured, never what it is (not even a prefix or suffix).
    return JSONResponse(
        {
            "weather_api_key": "configured" if SECRETS["weather"]["api_key"] else "missing",
            "db_password": "configured" if SECRETS["db"]["password"] else "missing",
            "db_host": SECRETS["db"]["host"],
        }
    )


async def forecast(request: Request) -> JSONResponse:
    return JSONResponse(fetch_forecast(request.query_params.get("city", "Oslo")))


async def upstream_failed(request: Request, exc: Exception) -> JSONResponse:
    # A handler for the exception CLASS runs in Starlette's ExceptionMiddleware: nothing re-raises it, so
    # uvicorn never prints the raw message (key included) in a traceback. We log a redacted line instead.
    log.warning("upstream failed on %s: %s", request.url.path, redact(str(exc)))
    return JSONResponse({"error": "the weather service is unavailable, try again later"}, status_code=502)


@asynccontextmanager
async def require_secrets(_app: App) -> AsyncIterator[None]:
    """Refuse to START without the secrets (importing stays possible for tools and tests)."""
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        # Name the variables, never a value: this message lands in the log.
        raise RuntimeError(f"Set {', '.join(missing)} in the environment before starting the app.")
    log.info("secrets loaded: %s configured, db host %s", ", ".join(REQUIRED), SECRETS["db"]["host"])
    yield


app = App(
    HERE / "ui.py",
    secrets=SECRETS,
    lifespan=require_secrets,
    routes=[Mount("/api", routes=[Route("/config", config_summary), Route("/forecast", forecast)])],
    exception_handlers={UpstreamError: upstream_failed},
)

# Config from the environment goes in AFTER App() and before the first request. App() tells Streamlit where
# the script lives, and that is what makes the .streamlit/config.toml next to ui.py count. Setting options
# BEFORE App() parses the config too early, without that file: its settings are then silently lost.
# (STREAMLIT_* variables are not read under plain uvicorn; `streamlit run` reads them through its CLI.)
bootstrap.load_config_options({"server.maxUploadSize": int(os.environ.get("MAX_UPLOAD_MB", "200"))})
