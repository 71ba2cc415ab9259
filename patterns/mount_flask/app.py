"""Pattern F: Streamlit at the root, a Flask (WSGI) app mounted at /flask through a2wsgi.

Run from any directory:  uvicorn app:app --app-dir /path/to/mount_flask --port 8501
"""

from pathlib import Path

from a2wsgi import WSGIMiddleware
from flask_site import flask_app
from starlette.routing import Mount
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# a2wsgi, not starlette.middleware.wsgi (deprecated). It maps the mount's root_path to SCRIPT_NAME and
# strips it from PATH_INFO, runs Flask in its own thread pool (workers=10 by default: at most 10 Flask
# requests at once) and closes websocket requests before accept (a clean 403).
# Routes passed to st.App are matched before Streamlit's catch-all, so /flask/<unknown> is Flask's 404.
app = App(HERE / "ui.py", routes=[Mount("/flask", app=WSGIMiddleware(flask_app, workers=10))])
