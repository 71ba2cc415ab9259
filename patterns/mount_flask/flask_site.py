"""A small Flask app. Its routes are written WITHOUT the /flask prefix: the mount passes the prefix as the
ASGI root_path, a2wsgi turns it into the WSGI SCRIPT_NAME, and Flask's url_for and redirects add it back.
"""

import os

from flask import Flask, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

flask_app = Flask(__name__)
flask_app.config.update(
    # A real deployment sets FLASK_SECRET_KEY (signs Flask's session cookie); the default is for the demo only.
    SECRET_KEY=os.environ.get("FLASK_SECRET_KEY", "dev-only-insecure-key-change-me"),
    # Flask >= 3.1: requests whose Host header is not listed get 400 instead of reaching a view.
    TRUSTED_HOSTS=["127.0.0.1", "localhost", "[::1]"],
)

# Flask views are plain `def`: WSGI is synchronous, and a2wsgi runs each request in its own thread pool,
# so they do not block the event loop Streamlit runs on.


@flask_app.get("/")
def index() -> Response:
    return jsonify(
        framework="flask",
        script_root=request.script_root,  # "/flask": SCRIPT_NAME from the mount's root_path
        path=request.path,  # what Flask routed on, prefix removed
        info_url=url_for("info"),  # url_for adds the prefix
        info_external=url_for("info", _external=True),
    )


@flask_app.get("/info")
def info() -> Response:
    return jsonify(framework="flask", view="info")


@flask_app.get("/go")
def go() -> Response:
    # A redirect built with url_for points inside the mount, not at Streamlit's root.
    return redirect(url_for("info"))


@flask_app.get("/items/")
def items() -> Response:
    # Declared with a trailing slash: Werkzeug redirects /flask/items to /flask/items/ (308), prefix kept.
    return jsonify(items=[1, 2, 3])
