"""Pattern: OpenTelemetry tracing of st.App's routes AND Streamlit's websocket, through `middleware=`.

st.App has no add_middleware() and OpenTelemetry's instrument_app() needs one, so the ASGI instrumentation is
passed as `Middleware(OpenTelemetryMiddleware, ...)`. It wraps Streamlit's own middleware, so it sees the page,
/_stcore/ and the /_stcore/stream websocket. Spans go to an in-process exporter; /api/traces (loopback only,
a demo debug route) lists the recent ones as JSON.

Run from any directory:  uvicorn app:app --app-dir /path/to/observability_otel --port 8501
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware, get_default_span_details
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App
from telemetry import EXPORTER, PROVIDER, span_as_dict  # same folder: uvicorn --app-dir puts it on sys.path

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

log = logging.getLogger("observability_otel")
if not log.handlers:
    # uvicorn and Streamlit configure only their own loggers: without a handler, INFO lines of yours go nowhere.
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

tracer = PROVIDER.get_tracer("observability_otel")

# Regexes searched in the full URL. Health checks (every few seconds from a load balancer), Streamlit's static
# assets and the debug route itself would drown the interesting spans.
EXCLUDED_URLS = "/_stcore/health,/_stcore/script-health-check,/static/,/api/traces"


def span_details(scope: Scope) -> tuple[str, dict[str, object]]:
    """Initial span name. The default names a websocket `HTTP /_stcore/stream` (an http method it never had)."""
    if scope["type"] == "websocket":
        return f"WEBSOCKET {scope['path']}", {}
    return get_default_span_details(scope)  # "GET /path"; RouteNameMiddleware swaps in the route template


class RouteNameMiddleware:
    """Names the server span after the matched route template, e.g. `GET /api/report/{region}`.

    OpenTelemetryMiddleware runs before routing, so it names spans by the raw path: /api/report/eu and
    /api/report/us become different span names. This runs inside it (listed after it in `middleware=`), where
    the server span is the current span, and reads the route Starlette's router stored in the scope.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()  # the server span OpenTelemetryMiddleware made current

        async def send_naming_span(message: Message) -> None:
            # At the response start the router has matched (scope["route"]) and the span has not ended yet:
            # OpenTelemetryMiddleware ends an http span with the last body chunk.
            if message["type"] in ("http.response.start", "websocket.accept") and span.is_recording():
                template = _route_template(scope)
                if template is not None:
                    span.set_attribute("http.route", template)
                    if scope["type"] == "http":
                        span.update_name(f"{scope['method']} {template}")
            await send(message)

        await self.app(scope, receive, send_naming_span)


def _route_template(scope: Scope) -> str | None:
    """The matched route's template, e.g. /api/report/{region}.

    Starlette 1.4+ stores the matched route in scope["route"]. Older Starlette (which Streamlit 1.53-1.61 run on:
    starlette<1.4) does not: there the router sets only the endpoint and the path parameters, and the template is
    rebuilt from the path with each parameter's value put back as {name}.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is not None:
        # Under Mount("/api") the leaf route's path is relative: put the mount prefix back.
        prefix = scope.get("root_path", "")[len(scope.get("app_root_path", "")) :]
        return prefix + template
    if "endpoint" not in scope:
        return None  # no route matched (a 404): nothing to name the span after
    params = scope.get("path_params") or {}
    segments = scope["path"].split("/")
    for name, value in params.items():
        for index in range(len(segments) - 1, -1, -1):  # the last segment holding the value
            if segments[index] == str(value):
                segments[index] = "{" + name + "}"
                break
    return "/".join(segments)


def _is_direct_loopback(request: Request) -> bool:
    """True for a loopback client that no proxy forwarded.

    uvicorn rewrites request.client from X-Forwarded-For when the proxy is trusted (127.0.0.1 by default), and a
    reverse proxy on the same host connects from 127.0.0.1 for every visitor: so check both.
    """
    via_proxy = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    if via_proxy:  # only the header's presence is used, never its address
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def report(request: Request) -> JSONResponse:
    region = request.path_params["region"]
    # A child span of the request's server span: the work inside a route shows up in the same trace.
    with tracer.start_as_current_span("build_report", attributes={"report.region": region}) as span:
        total = sum(ord(ch) for ch in region)  # stand-in for a query
        span.set_attribute("report.rows", total % 50)
        trace_id = trace.format_trace_id(span.get_span_context().trace_id)
    return JSONResponse({"region": region, "rows": total % 50, "trace_id": trace_id})


async def traces(request: Request) -> JSONResponse:
    """DEMO debug route: recent spans as JSON. Loopback only; real deployments look at their tracing backend."""
    if not _is_direct_loopback(request):
        return JSONResponse({"error": "traces are only served to direct loopback clients"}, status_code=403)
    spans = [span_as_dict(s) for s in EXPORTER.recent()]
    if trace_id := request.query_params.get("trace_id"):
        spans = [s for s in spans if s["trace_id"] == trace_id]
    return JSONResponse({"count": len(spans), "spans": spans[-100:]})


@asynccontextmanager
async def lifespan(_app: App) -> AsyncIterator[None]:
    yield
    # Flushes and closes the span processors: with a BatchSpanProcessor this sends the last spans out.
    PROVIDER.shutdown()
    log.info("tracer provider shut down")


app = App(
    HERE / "ui.py",
    lifespan=lifespan,
    # Mount owns /api: unknown paths and wrong methods answer 404/405 instead of Streamlit's page.
    routes=[Mount("/api", routes=[Route("/report/{region}", report), Route("/traces", traces)])],
    middleware=[
        # First in the list = outermost: it times everything, Streamlit's own middleware included.
        Middleware(
            OpenTelemetryMiddleware,
            tracer_provider=PROVIDER,  # explicit: no global provider needed, nothing else is traced by accident
            excluded_urls=EXCLUDED_URLS,
            default_span_details=span_details,
            # One span per websocket message would mean thousands for a single Streamlit session.
            exclude_spans=["receive", "send"],
        ),
        Middleware(RouteNameMiddleware),
    ],
)
