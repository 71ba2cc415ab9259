"""Pattern D: Streamlit at the root, static files mounted at /assets and a static HTML site at /site.

Run from any directory:  uvicorn app:app --app-dir /path/to/mount_static_files --port 8501
"""

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from streamlit.starlette import App

HERE = Path(__file__).resolve().parent  # absolute: uvicorn may be started from any working directory

# StaticFiles checks at construction that the directory exists (RuntimeError otherwise), so a wrong
# path fails at import, not on the first request. A relative "assets" would resolve against the cwd.
assets = StaticFiles(directory=HERE / "assets")
# html=True: "/site/" serves index.html, "/site/docs/" serves docs/index.html, and a 404.html in the
# folder is used for missing pages.
site = StaticFiles(directory=HERE / "site", html=True)

# Routes passed to st.App are matched BEFORE Streamlit's catch-all page route, so a missing file under
# these prefixes is StaticFiles' 404, never the Streamlit page. Do not use /static: it is Streamlit's own.
app = App(
    HERE / "ui.py",
    routes=[
        Mount("/assets", app=assets, name="assets"),
        Mount("/site", app=site, name="site"),
    ],
)
