"""Assemble the one ASGI app: FastMCP at /mcp, the Streamlit dashboard at /dashboard, /healthz.

Arrangement (verified in shared notes): a parent Starlette app; ``Mount("/dashboard", st.App(...))``;
``mcp.http_app(path="/mcp")`` mounted at "/" LAST so POST /mcp answers without a redirect; one lifespan
that starts the instance registry, then nests FastMCP's and Streamlit's lifespans.

Example::

    app = build_app(Settings(port=8765))
    uvicorn.run(app, host="127.0.0.1", port=8765)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from st_patterns import __version__
from st_patterns.body_limit import BodyLimitMiddleware
from st_patterns.catalog import Catalog
from st_patterns.mcp_server import build_mcp
from st_patterns.services import Services, install
from st_patterns.settings import Settings

log = logging.getLogger("st_patterns")

# Streamlit reads its config once, before st.App() exists; env vars are ignored under plain uvicorn.
DASHBOARD_CONFIG = {
    "server.fileWatcherType": "none",  # else the watcher reloads modules and the dashboard sees other state
    "browser.gatherUsageStats": False,
    "server.runOnSave": False,
    "client.toolbarMode": "viewer",
    "theme.base": "light",
}


def build_services(settings: Settings) -> Services:
    """Catalog, registry and validation store, not yet started."""
    from st_patterns.registry import Registry
    from st_patterns.validation import ValidationStore

    catalog = Catalog.load()
    registry = Registry(
        catalog,
        settings.state_dir,
        max_instances=settings.max_instances,
        use_fork=settings.use_fork,
    )
    return Services(catalog=catalog, settings=settings, registry=registry, validations=ValidationStore())


def _dashboard_app() -> ASGIApp:
    from streamlit.starlette import App
    from streamlit.web.bootstrap import load_config_options

    from st_patterns.paths import dashboard_script

    load_config_options(flag_options=dict(DASHBOARD_CONFIG))
    return App(dashboard_script())


def build_app(settings: Settings, services: Services | None = None) -> Starlette:
    """The whole server as one ASGI app."""
    services = install(services or build_services(settings))
    mcp = build_mcp(services)
    mcp_app = mcp.http_app(path="/mcp")
    dashboard = _dashboard_app() if settings.dashboard else None

    async def healthz(request: Request) -> JSONResponse:
        registry = services.registry
        running = sum(1 for i in registry.list() if i.status == "running") if registry else 0
        return JSONResponse(
            {"status": "ok", "version": __version__, "patterns": len(services.catalog), "running_instances": running}
        )

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/dashboard/" if dashboard else "/healthz", status_code=307)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if services.registry is not None:
            services.registry.start()
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(mcp_app.lifespan(app))
                if dashboard is not None:
                    await stack.enter_async_context(dashboard.lifespan()(app))  # type: ignore[attr-defined]
                yield
        finally:
            if services.registry is not None:
                services.registry.close()

    routes = [Route("/healthz", healthz), Route("/", root)]
    if dashboard is not None:
        routes.append(Mount("/dashboard", app=dashboard))
    routes.append(Mount("/", app=mcp_app))  # last: its own routes answer /mcp exactly
    middleware = [Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
