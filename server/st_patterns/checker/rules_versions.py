"""Rules that depend on the Streamlit release the project runs on (``--streamlit``, or read from its lock file,
requirements or pyproject.toml; see ``projects.streamlit_version``). Without a known release they stay quiet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from st_patterns.catalog.releases import FIRST_APP_KWARGS, FIRST_APP_RUN, FIRST_ST_APP, pins_for
from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context, Rule
from st_patterns.checker._handlers import is_st_app
from st_patterns.checker.models import Finding
from st_patterns.projects.streamlit_version import StreamlitTarget

API_TOO_NEW = Rule(
    id="api-newer-than-streamlit",
    severity="error",
    title="Uses st.App API the project's Streamlit does not have",
    explanation=(
        "`st.App` exists from Streamlit 1.57 (`from streamlit.starlette import App` from 1.53), `App(secrets=...)` "
        "from 1.57, `App(on_script_error=...)` from 1.58 and `App.run()` from 1.59. On an older release the project "
        "allows, the module fails at import or start-up with AttributeError or TypeError."
    ),
    fix="Import `from streamlit.starlette import App` (works from 1.53), serve with uvicorn instead of App.run(), "
    "or raise the Streamlit requirement.",
    see_pattern="mount_fastapi",
)
STARLETTE_UNPINNED = Rule(
    id="starlette-unpinned-for-streamlit",
    severity="warning",
    title="Streamlit 1.53-1.60 without starlette<1.4",
    explanation=(
        "Streamlit 1.53-1.60 accept any Starlette below 2, but with Starlette 1.4 or newer every static file they "
        "serve (the UI's JavaScript and CSS) answers 500: a blank page. Proven by the version matrix; Streamlit "
        "1.61 added the cap itself. An error when the lock file already holds Starlette 1.4 or newer."
    ),
    fix="Add `starlette<1.4` next to the Streamlit requirement (or move to Streamlit 1.61 or newer).",
    see_pattern="mount_fastapi",
    local=True,
)
RULES = [API_TOO_NEW, STARLETTE_UNPINNED]


def check(ctx: Context) -> Iterator[Finding]:
    target = ctx.streamlit
    if target is None or target.oldest is None:
        return
    oldest = target.oldest
    allows = f"{target.source} allows Streamlit {oldest}" + (f" ({target.spec})" if target.spec else "")
    if oldest < FIRST_ST_APP:
        for call in ctx.st_app_calls:
            if ctx.qual(call.func) in ("streamlit.App",):
                yield ctx.finding(
                    API_TOO_NEW,
                    call,
                    f"`st.App` exists from Streamlit 1.57, but {allows}: AttributeError at import.",
                    fix="`from streamlit.starlette import App` (the same class, from 1.53), or require "
                    "streamlit>=1.57.",
                )
    for call in ctx.st_app_calls:
        for keyword in call.keywords:
            first = FIRST_APP_KWARGS.get(keyword.arg or "")
            if first is not None and oldest < first:
                yield ctx.finding(
                    API_TOO_NEW,
                    keyword.value,
                    f"`App({keyword.arg}=...)` exists from Streamlit {first}, but {allows}: TypeError when the "
                    "App is built.",
                    fix=f"Require streamlit>={first}, or do without it on older releases.",
                )
    if oldest < FIRST_APP_RUN:
        for call in ctx.calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr == "run" and is_st_app(ctx, call.func.value):
                yield ctx.finding(
                    API_TOO_NEW,
                    call,
                    f"`App.run()` exists from Streamlit 1.59, but {allows}: AttributeError.",
                    fix=f"Serve it with uvicorn (`uvicorn {u.dotted(call.func.value) or 'app'}...`), or require "
                    "streamlit>=1.59.",
                )


def dependency_findings(target: StreamlitTarget) -> list[Finding]:
    """Findings about the project's requirements themselves (reported in the file that states them)."""
    needs = {req for release in target.releases for req, _ in pins_for(release)}
    if "starlette<1.4" not in needs or target.source == "--streamlit":  # given outright: no file to fix
        return []
    if target.starlette:
        allowed = SpecifierSet(target.starlette)
        if not any(Version(v) in allowed for v in ("1.4.0", "1.10.0")):
            return []  # already capped below 1.4
        locked = target.starlette.startswith("==")
        severity = "error" if locked else "warning"
        where = target.starlette_line or target.line
        text = f"Starlette {target.starlette.lstrip('=')} is locked" if locked else f"starlette{target.starlette}"
    else:
        severity, where, text = "warning", target.line, "nothing caps Starlette"
    oldest = target.releases[0]
    return [
        Finding(
            rule_id=STARLETTE_UNPINNED.id,
            severity=severity,
            file=target.source,
            line=where,
            column=1,
            message=f"Streamlit {oldest} (from {target.spec or 'any release'}) with {text}: with Starlette 1.4 or "
            "newer every static file Streamlit 1.53-1.60 serve answers 500, so the UI stays blank.",
            fix=STARLETTE_UNPINNED.fix,
            see_pattern=STARLETTE_UNPINNED.see_pattern,
        )
    ]
