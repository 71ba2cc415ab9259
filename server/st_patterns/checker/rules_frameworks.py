"""Bridge rules for WSGI and Django apps mounted next to Streamlit."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker.models import Finding

FLASK_WITHOUT_A2WSGI = Rule(
    id="flask-without-a2wsgi",
    severity="error",
    title="Flask mounted without a2wsgi",
    explanation=(
        "A Flask app is WSGI, not ASGI: mounted directly it fails on the first request. Starlette's "
        "WSGIMiddleware (starlette.middleware.wsgi, fastapi.middleware.wsgi) is deprecated and slated for "
        "removal; a2wsgi.WSGIMiddleware is its maintained replacement."
    ),
    fix=(
        "`from a2wsgi import WSGIMiddleware` and mount `Mount('/flask', app=WSGIMiddleware(flask_app))`; "
        "Flask then sees SCRIPT_NAME=/flask, so url_for() builds prefixed URLs."
    ),
    see_pattern="mount_flask",
)
DJANGO_WITHOUT_SETTINGS = Rule(
    id="django-without-settings",
    severity="error",
    title="Django ASGI app built before settings exist",
    explanation=(
        "get_asgi_application() needs Django settings: without DJANGO_SETTINGS_MODULE or settings.configure() "
        "first it raises ImproperlyConfigured at import. Remember ALLOWED_HOSTS too, or every request gets 400."
    ),
    fix=(
        "Before the call: `os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')`, or "
        "`settings.configure(DEBUG=False, ALLOWED_HOSTS=['localhost', '127.0.0.1'], ROOT_URLCONF=__name__, "
        "SECRET_KEY=...)` when the project has no settings module."
    ),
    see_pattern="mount_django",
    local=True,
)
RULES = [FLASK_WITHOUT_A2WSGI, DJANGO_WITHOUT_SETTINGS]

_DEPRECATED_WSGI = frozenset({"starlette.middleware.wsgi", "fastapi.middleware.wsgi"})


def check(ctx: Context) -> Iterator[Finding]:
    yield from _flask(ctx)
    yield from _django(ctx)


def _flask(ctx: Context) -> Iterator[Finding]:
    for node in ctx.import_nodes:
        module = None
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module
        elif isinstance(node, ast.Import):
            module = next((a.name for a in node.names if a.name in _DEPRECATED_WSGI), None)
        if module in _DEPRECATED_WSGI:
            yield ctx.finding(
                FLASK_WITHOUT_A2WSGI,
                node,
                f"{module} is deprecated (it warns on import) and due for removal; use a2wsgi instead.",
            )
    flask_names = {
        name
        for name, values in ctx.assigned.items()
        if any(isinstance(v, ast.Call) and ctx.is_call(v, "Flask", u.FLASK) for v in values)
    }
    for mount, app in ctx.mounts:
        target = app.value if isinstance(app, ast.Attribute) and app.attr == "wsgi_app" else app
        direct = isinstance(target, ast.Name) and target.id in flask_names
        inline = isinstance(target, ast.Call) and ctx.is_call(target, "Flask", u.FLASK)
        if direct or inline:
            yield ctx.finding(
                FLASK_WITHOUT_A2WSGI,
                mount,
                "A Flask (WSGI) app is mounted directly on an ASGI app: the first request fails because WSGI "
                "apps cannot speak ASGI.",
            )


def _django(ctx: Context) -> Iterator[Finding]:
    configured = [
        node.lineno
        for node in ctx.calls
        if isinstance(node.func, ast.Attribute)
        and node.func.attr == "configure"
        and (ctx.qual(node.func.value) or "").split(".")[-1] == "settings"
    ]
    configured += [c.lineno for c in ctx.strings if u.const_str(c) == "DJANGO_SETTINGS_MODULE"]
    first = min(configured, default=None)
    for call in ctx.calls:
        if not (ctx.is_call(call, "get_asgi_application", u.DJANGO) or ctx.is_call(call, "ASGIHandler", u.DJANGO)):
            continue
        lazy = ctx.enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef)) is not None
        if first is not None and (lazy or first < call.lineno):
            continue
        yield ctx.finding(
            DJANGO_WITHOUT_SETTINGS,
            call,
            "get_asgi_application() runs before Django settings are configured: it raises ImproperlyConfigured "
            "when the module is imported.",
        )
