"""Pattern E: Streamlit at the root, a Django project mounted at /django.

Run from any directory:  uvicorn app:app --app-dir /path/to/mount_django --port 8501
"""

from pathlib import Path

from django_site import django_asgi
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory


class HttpOnly:
    """Refuse websockets before they reach Django.

    Django's ASGI handler raises ValueError on a websocket scope, so every stray ws request under /django/
    would be a 500 with a traceback in the log. Closing before accept makes it a clean 403 handshake refusal.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, send)


# Mount sets scope["root_path"] = "/django"; Django reads it as SCRIPT_NAME and strips it from the path,
# so the URLconf needs no prefix and reverse() produces /django/... URLs. No FORCE_SCRIPT_NAME needed.
# Routes passed to st.App are matched before Streamlit's catch-all, so /django/<unknown> is Django's 404.
app = App(HERE / "ui.py", routes=[Mount("/django", app=HttpOnly(django_asgi))])
