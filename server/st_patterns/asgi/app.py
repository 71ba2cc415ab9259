"""Assemble the one ASGI app: FastMCP at /mcp, the Streamlit dashboard at /dashboard, /healthz (and the
same MCP server over stdio).

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
from streamlit.starlette import App

from st_patterns import __version__
from st_patterns.asgi.body_limit import BodyLimitMiddleware
from st_patterns.asgi.dashboard_login import DashboardAuthMiddleware, Sessions, login_endpoints
from st_patterns.asgi.host_guard import HostGuardMiddleware
from st_patterns.asgi.tokens import bearer_verifier
from st_patterns.catalog.loader import Catalog
from st_patterns.errors import StateUnavailable
from st_patterns.instances.backends.choose import choose_backend
from st_patterns.instances.registry import Registry
from st_patterns.mcp_tools.server import build_mcp
from st_patterns.proving.results import ValidationStore
from st_patterns.services import Services, install
from st_patterns.settings import Settings

log = logging.getLogger("st_patterns")

# Streamlit reads its config once, before st.App() exists; env vars are ignored under plain uvicorn.
DASHBOARD_CONFIG = {
    "server.fileWatcherType": "none",  # else the watcher reloads modules and the dashboard sees other state
    "browser.gatherUsageStats": False,
    "runner.postScriptGC": False,  # a full gc.collect after every 1 s fragment tick was ~40% of a tab's CPU
    "server.runOnSave": False,
    "client.toolbarMode": "viewer",
    "theme.base": "light",
}


def build_services(settings: Settings) -> Services:
    """Catalog, sandbox, registry and validation store, not yet started.

    Raises SandboxUnavailable when ``settings.sandbox`` names a sandbox that cannot work here.
    """
    catalog = Catalog.load()
    sandbox, sandbox_info = choose_backend(
        settings.sandbox,
        limits=settings.limits,
        root=settings.state_dir / "sandboxes",
        preload=catalog.preloads(),
        pool_size=settings.sandbox_pool,
        base_image=settings.sandbox_image_base,
    )
    registry = Registry(
        catalog,
        settings.state_dir,
        max_instances=settings.max_instances,
        use_fork=settings.use_fork,
        sandbox=sandbox,
        sandbox_patterns=settings.sandbox_patterns,
        allow_user_code=settings.allow_user_code,
        no_sandbox_reason=sandbox_info.detail,
    )
    services = Services(catalog=catalog, settings=settings, registry=registry, validations=ValidationStore())
    services.sandbox_info = sandbox_info
    return services


def start_registry(services: Services) -> None:
    """Start the registry; an unusable state directory degrades the server instead of stopping it."""
    if services.registry is None:
        return
    try:
        services.registry.start()
    except StateUnavailable as exc:
        services.registry_error = exc
        log.error("%s", exc)


def serve_stdio(settings: Settings) -> None:
    """The same MCP server over stdio (desktop clients): same services, no HTTP, no dashboard."""
    services = install(build_services(settings))
    start_registry(services)
    try:
        build_mcp(services).run(transport="stdio", show_banner=False)
    finally:
        if services.registry is not None:
            services.registry.close()


def _dashboard_app() -> App:
    from streamlit.web.bootstrap import load_config_options

    from st_patterns.paths import dashboard_script

    load_config_options(flag_options=dict(DASHBOARD_CONFIG))
    return App(dashboard_script())


def build_app(settings: Settings, services: Services | None = None) -> Starlette:
    """The whole server as one ASGI app."""
    services = install(services or build_services(settings))
    mcp = build_mcp(services, auth=bearer_verifier(settings.token) if settings.token else None)
    # MCP spec for streamable HTTP: validate Host and Origin (DNS rebinding); same-origin and loopback origins pass.
    mcp_app = mcp.http_app(path="/mcp", host_origin_protection=True, allowed_hosts=settings.host_names())
    streamlit_app = _dashboard_app() if settings.dashboard else None
    dashboard: ASGIApp | None = streamlit_app
    sessions = Sessions(settings.token) if settings.token else None

    async def healthz(request: Request) -> JSONResponse:
        registry = services.registry
        running = sum(1 for i in registry.list() if i.status == "running") if registry else 0
        problem = str(services.registry_error) if services.registry_error else None
        return JSONResponse(
            {
                "status": "degraded" if problem else "ok",
                "version": __version__,
                "patterns": len(services.catalog),
                "running_instances": running,
                "sandbox": services.sandbox_info.model_dump(mode="json"),
                "patterns_sandboxed": services.settings.sandbox_patterns and services.sandbox_info.contained,
                "problem": problem,
            }
        )

    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse("/dashboard/" if dashboard else "/healthz", status_code=307)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        start_registry(services)
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(mcp_app.lifespan(app))
                if streamlit_app is not None:
                    await stack.enter_async_context(streamlit_app.lifespan()(app))
                yield
        finally:
            if services.registry is not None:
                services.registry.close()

    routes = [Route("/healthz", healthz), Route("/", root)]
    if dashboard is not None:
        if sessions is not None:
            login, logout = login_endpoints(sessions)
            routes += [
                Route("/login", login, methods=["GET", "POST"]),
                Route("/logout", logout, methods=["POST", "GET"]),
            ]
            dashboard = DashboardAuthMiddleware(dashboard, sessions)
        routes.append(Mount("/dashboard", app=dashboard))
    routes.append(Mount("/", app=mcp_app))  # last: its own routes answer /mcp exactly
    middleware = [
        Middleware(HostGuardMiddleware, allowed=settings.host_names()),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
