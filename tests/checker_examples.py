"""Failing and passing examples for the rules added with project mode (pitfalls 3, 5-7, 9-13, 15, 20-24 of the
notes), merged into test_checker's tables. Failing examples mark each line a finding must point at with ``# <-``.
"""

from __future__ import annotations

HEAD = """
        from pathlib import Path
        from streamlit.starlette import App
        HERE = Path(__file__).resolve().parent
"""

FAILING: dict[str, str] = {
    "blocking-call-in-async-handler": """
        import time
        import requests
        from fastapi import FastAPI
        from starlette.middleware.base import BaseHTTPMiddleware
        api = FastAPI()
        @api.get("/slow")
        async def slow():
            time.sleep(1)  # <-
            return requests.get("http://127.0.0.1:9/x").json()  # <-
        class Timing(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                time.sleep(0.01)  # <-
                return await call_next(request)
    """,
    "lifespan-not-called": HEAD
    + """
        from fastapi import FastAPI
        from contextlib import asynccontextmanager
        st_app = App(HERE / "ui.py")
        api = FastAPI(lifespan=st_app.lifespan)  # <-
        @asynccontextmanager
        async def both(app):
            async with st_app.lifespan():  # <-
                yield
    """,
    "lifespan-not-contextmanager": HEAD
    + """
        from fastapi import FastAPI
        async def load(app):  # <-
            yield {"model": 1}
        async def parent_lifespan(app):  # <-
            yield
        app = App(HERE / "ui.py", lifespan=load)
        api = FastAPI(lifespan=parent_lifespan)
    """,
    "lifespan-task-not-stopped": HEAD
    + """
        import asyncio, threading
        import anyio
        from contextlib import asynccontextmanager
        @asynccontextmanager
        async def lifespan(app):
            asyncio.create_task(refresh_forever())  # <-
            threading.Thread(target=poll).start()  # <-
            yield {}
        @asynccontextmanager
        async def grouped_lifespan(app):
            async with anyio.create_task_group() as tg:
                tg.start_soon(refresh_forever)  # <-
                await tg.start(refresh_ready)  # <-
                yield
        app = App(HERE / "ui.py", lifespan=lifespan)
    """,
    "lifespan-state-on-request": HEAD
    + """
        from contextlib import asynccontextmanager
        from starlette.routing import Route
        from starlette.responses import JSONResponse
        @asynccontextmanager
        async def load(app):
            yield {"model": object()}
        async def predict(request):
            model = request.state.model  # <-
            other = request.app.state.model  # <-
            return JSONResponse({"ok": bool(model and other)})
        app = App(HERE / "ui.py", lifespan=load, routes=[Route("/api/predict", predict)])
    """,
    "uvicorn-run-at-import": HEAD
    + """
        import uvicorn
        app = App(HERE / "ui.py")
        uvicorn.run(app, port=8000)  # <-
    """,
    "app-run-at-import": HEAD
    + """
        app = App(HERE / "ui.py")
        app.run()  # <-
    """,
    "ui-in-launcher": HEAD
    + """
        import streamlit as st
        @st.cache_resource
        def load_model():
            return object()
        st.set_page_config(page_title="Shop")  # <-
        model = load_model()  # <-
        app = App(HERE / "ui.py")
        st.sidebar.title("menu")  # <-
    """,
    "two-streamlit-apps": HEAD
    + """
        from starlette.applications import Starlette
        from starlette.routing import Mount
        admin = App(HERE / "admin.py")
        shop = App(HERE / "shop.py")  # <-
        app = Starlette(routes=[Mount("/admin", app=admin), Mount("/", app=shop)])
    """,
    "middleware-not-wrapped": HEAD
    + """
        from starlette.middleware import Middleware
        from starlette.middleware.gzip import GZipMiddleware
        import starlette.middleware.cors as cors
        class Auth:
            def __init__(self, app):
                self.app = app
        app = App(HERE / "ui.py", middleware=[Auth, Middleware(GZipMiddleware), cors.CORSMiddleware])  # <-
    """,
    "add-middleware-on-app": HEAD
    + """
        from starlette.middleware.gzip import GZipMiddleware
        from opentelemetry.instrumentation.starlette import StarletteInstrumentor
        st_app = App(HERE / "ui.py")
        st_app.add_middleware(GZipMiddleware)  # <-
        StarletteInstrumentor.instrument_app(st_app)  # <-
        @st_app.route("/ping")  # <-
        async def ping(request):
            return None
    """,
    "static-prefix-reference": HEAD
    + """
        from starlette.responses import JSONResponse, HTMLResponse
        from starlette.routing import Route
        async def manifest(request):
            return JSONResponse({"icons": [{"src": "/static/icon-192.png", "sizes": "192x192"}]})  # <-
        async def landing(request):
            return HTMLResponse('<link rel="manifest" href="/manifest.json"><img src="/static/logo.png">')  # <-
        app = App(HERE / "ui.py", routes=[Route("/manifest.json", manifest), Route("/welcome", landing)])
    """,
    "request-on-websocket-scope": """
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse
        class Auth:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] == "lifespan":
                    return await self.app(scope, receive, send)
                request = Request(scope)  # <-
                if request.cookies.get("session") != "ok":
                    return await PlainTextResponse("no", status_code=401)(scope, receive, send)
                await self.app(scope, receive, send)
    """,
    "mount-non-asgi": HEAD
    + """
        from a2wsgi import WSGIMiddleware
        from starlette.applications import Starlette
        from starlette.routing import Mount
        from streamlit.web.server import Server  # <-
        st_app = App(HERE / "ui.py")
        app = Starlette(routes=[Mount("/ui", app=WSGIMiddleware(st_app))], lifespan=st_app.lifespan())  # <-
    """,
    "missing-streamlit-lifespan/wrapped": HEAD
    + """
        from fastapi import FastAPI
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)
        st_app = App(HERE / "ui.py")
        api = FastAPI()
        api.mount("/dashboard", Guard(st_app))  # <-
    """,
    "stcore-exempted/ifexp": """
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import RedirectResponse
        class Auth(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                public = request.url.path.startswith("/_stcore")  # <-
                return await call_next(request) if public or request.session.get("user") else RedirectResponse("/")
    """,
    "stcore-exempted/under-a-mount-prefix": """
        from starlette.responses import PlainTextResponse
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["path"].startswith("/dashboard/_stcore"):  # <-
                    return await self.app(scope, receive, send)
                if scope["type"] == "websocket" or not authorized(scope):
                    return await PlainTextResponse("no", status_code=401)(scope, receive, send)
                await self.app(scope, receive, send)
    """,
    "lifespan-taken-then-served": HEAD
    + """
        import uvicorn
        from fastapi import FastAPI
        streamlit_app = App(HERE / "ui.py")  # <-
        api = FastAPI(lifespan=streamlit_app.lifespan())
        api.mount("/", streamlit_app)
        if __name__ == "__main__":
            streamlit_app.run()  # <-
            uvicorn.run(streamlit_app)  # <-
    """,
    "wrapper-skipped-by-streamlit-run": HEAD
    + """
        from starlette.responses import PlainTextResponse
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if not authorized(scope):
                    return await PlainTextResponse("no", status_code=401)(scope, receive, send)
                await self.app(scope, receive, send)
        class Headers:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)
        st_app = App(HERE / "ui.py")
        guarded = Guard(st_app)  # <-
        app = Headers(st_app)  # <-
    """,
    "sub-app-lifespan-skipped": HEAD
    + """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI
        from starlette.routing import Mount
        @asynccontextmanager
        async def connect(app):
            yield
        api = FastAPI(lifespan=connect)
        events = FastAPI()
        @events.on_event("startup")
        async def warm():
            pass
        app = App(HERE / "ui.py", routes=[Mount("/api", app=api), Mount("/events", app=events)])  # <-
    """,
    "csp-breaks-streamlit/middleware-on-app": HEAD
    + """
        from starlette.middleware import Middleware
        from starlette.middleware.base import BaseHTTPMiddleware
        POLICY = "default-src 'self'"  # <-
        class Headers(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                response = await call_next(request)
                response.headers["Content-Security-Policy"] = POLICY
                return response
        app = App(HERE / "ui.py", middleware=[Middleware(Headers)])
    """,
}

PASSING: dict[str, str] = {
    "blocking-call-in-async-handler": """
        import asyncio, time
        import anyio
        import httpx
        import requests
        from fastapi import FastAPI
        api = FastAPI()
        @api.get("/sync")
        def sync_ok():
            time.sleep(1)  # a plain def runs in the thread pool: fine
            return requests.get("http://127.0.0.1:9").json()
        @api.get("/async")
        async def async_ok():
            await asyncio.sleep(1)
            await anyio.to_thread.run_sync(time.sleep, 1)
            async with httpx.AsyncClient() as client:
                return (await client.get("http://127.0.0.1:9")).json()
        @api.get("/deferred")
        async def deferred():
            def work():
                time.sleep(1)
            return await anyio.to_thread.run_sync(work)
    """,
    "lifespan-not-called": HEAD
    + """
        from fastapi import FastAPI
        from contextlib import asynccontextmanager
        st_app = App(HERE / "ui.py")
        @asynccontextmanager
        async def both(app):
            async with st_app.lifespan()(app):
                yield
        api = FastAPI(lifespan=both)
        other = FastAPI(lifespan=st_app.lifespan())
    """,
    "lifespan-not-contextmanager": HEAD
    + """
        import contextlib
        from contextlib import asynccontextmanager
        @asynccontextmanager
        async def load(app):
            yield {"model": 1}
        @contextlib.asynccontextmanager
        async def other(app):
            yield
        async def plain_helper():
            yield 1
        app = App(HERE / "ui.py", lifespan=load)
    """,
    "lifespan-task-not-stopped": HEAD
    + """
        import asyncio, threading
        import anyio
        from contextlib import asynccontextmanager
        @asynccontextmanager
        async def lifespan(app):
            task = asyncio.create_task(refresh_forever())
            stop = threading.Event()
            worker = threading.Thread(target=poll, args=(stop,))
            worker.start()
            daemon = threading.Thread(target=poll, daemon=True)
            daemon.start()
            yield {}
            task.cancel()
            stop.set()
            worker.join(timeout=5)
        @asynccontextmanager
        async def grouped_lifespan(app):
            async with anyio.create_task_group() as tg:
                tg.start_soon(refresh_forever)
                await tg.start(refresh_ready)
                server.start()
                yield
                tg.cancel_scope.cancel()
        @asynccontextmanager
        async def outer_lifespan(app):
            async with AsyncExitStack() as stack:
                await stack.enter_async_context(lifespan(app))  # entering it runs its own cleanup
                yield
        app = App(HERE / "ui.py", lifespan=lifespan)
    """,
    "lifespan-state-on-request": HEAD
    + """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI, Request
        @asynccontextmanager
        async def load(app):
            yield {"model": object()}
        @asynccontextmanager
        async def api_lifespan(app):
            yield {"db": object()}
        st_app = App(HERE / "ui.py", lifespan=load)
        api = FastAPI(lifespan=api_lifespan)
        @api.get("/x")
        async def x(request: Request):
            return {"db": bool(request.state.db), "model": bool(st_app.state["model"])}
    """,
    "uvicorn-run-at-import": HEAD
    + """
        import uvicorn
        app = App(HERE / "ui.py")
        def main():
            uvicorn.run(app, port=8000)
        if __name__ == "__main__":
            uvicorn.run(app, port=8000)
    """,
    "app-run-at-import": HEAD
    + """
        app = App(HERE / "ui.py")
        if __name__ == "__main__":
            app.run()
    """,
    "ui-in-launcher": HEAD
    + """
        import streamlit as st
        st.set_option("server.maxUploadSize", 50)
        token = st.secrets.get("token")
        @st.cache_resource
        def load_model():
            return object()
        app = App(HERE / "ui.py")
    """,
    "two-streamlit-apps": HEAD
    + """
        def build(page):
            return App(HERE / page)
        app = App(HERE / "ui.py")
        if __name__ == "__main__":
            build("other.py").run()
    """,
    "middleware-not-wrapped": HEAD
    + """
        from starlette.middleware import Middleware
        from starlette.middleware.gzip import GZipMiddleware
        gzip = Middleware(GZipMiddleware, minimum_size=500)
        stack = [gzip]
        app = App(HERE / "ui.py", middleware=[gzip, Middleware(GZipMiddleware)])
        other = App(HERE / "ui2.py", middleware=stack)
        print(sorted([len, abs]))
    """,
    "add-middleware-on-app": HEAD
    + """
        from fastapi import FastAPI
        from starlette.middleware.gzip import GZipMiddleware
        st_app = App(HERE / "ui.py")
        api = FastAPI(lifespan=st_app.lifespan())
        api.add_middleware(GZipMiddleware)
        api.mount("/dashboard", st_app)
    """,
    "static-prefix-reference": HEAD
    + '''
        from starlette.responses import JSONResponse
        from starlette.routing import Mount, Route
        from starlette.staticfiles import StaticFiles
        async def manifest(request):
            """Icons live in /static/ of the project folder, served at /app/static/."""
            return JSONResponse({"icons": [{"src": "/app/static/icon-192.png"}, {"src": "/assets/logo.png"}]})
        assets = Mount("/assets", StaticFiles(directory="static"))
        app = App(HERE / "ui.py", routes=[Route("/manifest.json", manifest), assets])
    ''',
    "request-on-websocket-scope": """
        from starlette.requests import HTTPConnection, Request
        class Auth:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] not in ("http", "websocket"):
                    return await self.app(scope, receive, send)
                conn = HTTPConnection(scope)
                if scope["type"] == "http":
                    request = Request(scope, receive)
                await self.app(scope, receive, send)
        class HttpOnlyLogger:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                if scope["type"] != "http":
                    return await self.app(scope, receive, send)
                print(Request(scope).url)
                await self.app(scope, receive, send)
    """,
    "mount-non-asgi": HEAD
    + """
        from a2wsgi import WSGIMiddleware
        from flask import Flask
        from starlette.applications import Starlette
        from starlette.routing import Mount
        flask_app = Flask(__name__)
        st_app = App(HERE / "ui.py")
        routes = [Mount("/ui", app=st_app), Mount("/f", app=WSGIMiddleware(flask_app))]
        app = Starlette(routes=routes, lifespan=st_app.lifespan())
    """,
    "missing-streamlit-lifespan/wrapped": HEAD
    + """
        from fastapi import FastAPI
        class Guard:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)
        st_app = App(HERE / "ui.py")
        api = FastAPI(lifespan=st_app.lifespan())
        api.mount("/dashboard", Guard(st_app))
    """,
    "stcore-exempted/refused-branch": """
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.responses import PlainTextResponse, RedirectResponse
        class Auth(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                if request.session.get("user"):
                    return await call_next(request)
                if request.url.path.startswith("/_stcore/"):
                    return PlainTextResponse("login required", status_code=401)
                status = 401 if request.url.path.startswith("/_stcore") else 303
                return RedirectResponse("/login", status_code=status)
    """,
    "lifespan-taken-then-served": HEAD
    + """
        import uvicorn
        from fastapi import FastAPI
        ui = App(HERE / "ui.py")
        app = FastAPI(lifespan=ui.lifespan())
        app.mount("/", ui)
        alone = App(HERE / "other.py")
        if __name__ == "__main__":
            uvicorn.run(app)
            alone.run()
    """,
    "wrapper-skipped-by-streamlit-run": HEAD
    + """
        import uvicorn
        from fastapi import FastAPI
        from starlette.middleware import Middleware
        class Headers:
            def __init__(self, app):
                self.app = app
            async def __call__(self, scope, receive, send):
                await self.app(scope, receive, send)
        st_app = App(HERE / "ui.py", middleware=[Middleware(Headers)])
        app = FastAPI(lifespan=st_app.lifespan())
        served = Headers(st_app)
        if __name__ == "__main__":
            uvicorn.run(served)
    """,
    "sub-app-lifespan-skipped": HEAD
    + """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI
        from starlette.routing import Mount
        @asynccontextmanager
        async def connect(app):
            yield
        api = FastAPI(lifespan=connect)
        plain = FastAPI()
        @asynccontextmanager
        async def both(app):
            async with api.router.lifespan_context(api):
                yield
        app = App(HERE / "ui.py", lifespan=both, routes=[Mount("/api", app=api), Mount("/plain", app=plain)])
    """,
    "csp-breaks-streamlit/route-response": HEAD
    + """
        from starlette.responses import HTMLResponse
        from starlette.routing import Route
        STRICT = "default-src 'none'; img-src 'self'"
        def strict_headers():
            return {"Content-Security-Policy": STRICT}
        async def landing(request):
            return HTMLResponse("<h1>Welcome</h1>", headers={"Content-Security-Policy": "default-src 'self'"})
        async def login_page(request):
            return HTMLResponse("<form></form>", headers=strict_headers())
        app = App(HERE / "ui.py", routes=[Route("/welcome", landing), Route("/login", login_page)])
    """,
}
