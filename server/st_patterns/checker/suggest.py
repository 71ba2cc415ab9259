"""Probes for an agent's own app, derived from what the checker sees in its code: the harness agents otherwise write.

- an auth guard Streamlit's traffic passes through: the page and the websocket are refused without a session,
  the login route answers;
- an IP allow-list: refused from a disallowed address through the trusted proxy header, served from loopback;
- security headers: present on the page;
- each route the app adds: answers, and not with Streamlit's page (the catch-all does not shadow it);
- lifespan state (a lifespan that yields state or sets it up): the page renders with it, no exception shown.

In a project the guard, the lifespan or the ``App(...)`` may live in another module: ``suggest_for`` reads the entry
with what it imports from its siblings (``projects.linker``).

The result has the shape of a pattern's ``probes.toml``, so ``st-patterns probes init`` can write it for the user
to keep; a logged-in probe needs credentials only the user has, so it comes as a note with a template.

Example::

    suggested = suggest_for(Path("/work/shop"), "app.py", base_path="/")
    [p.name for p in suggested.probes]
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pydantic import BaseModel, Field

from st_patterns.catalog.contract import Probe
from st_patterns.checker import _ast_utils as u
from st_patterns.checker._context import Context
from st_patterns.checker._middleware import streamlit_guards
from st_patterns.projects.linker import Project

PAGE_MARKER = '<div id="root">'  # what Streamlit's page HTML always carries
DISALLOWED_IP = "203.0.113.7"  # TEST-NET-3: never on anyone's allow-list
SECURITY_HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "strict-transport-security",
    "referrer-policy",
    "permissions-policy",
)
LOGIN_RE = re.compile(r"^/[\w/-]*(log-?in|sign-?in|auth)[\w/-]*$", re.IGNORECASE)
LOOPBACK_RE = re.compile(r"^(127\.0\.0\.1|::1|127\.0\.0\.0/8|localhost)$")
ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch", "api_route", "route", "websocket"})
RESERVED = ("/_stcore/", "/media/", "/component/", "/static/")


class SuggestedProbes(BaseModel):
    """Probes for ``validate_app`` (same shape as a pattern's ``probes.toml``), with what they were derived from."""

    probes: list[Probe]
    seen: list[str] = Field(description="What the code does that the probes check, one line each.")
    notes: list[str] = Field(description="What the probes cannot know (credentials) and how to add it.")


def _strings(ctx: Context) -> list[str]:
    """Every literal, bytes too (raw ASGI middleware names headers as ``b"x-frame-options"``)."""
    found = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            found.append(node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value)
    return found


def _mount_prefixes(ctx: Context) -> dict[str, str]:
    """App or router variable -> the prefix its routes get (``Mount("/api", app=api)``, ``app.mount("/api", api)``,
    ``APIRouter(prefix="/api")``, ``include_router(router, prefix="/v1")``)."""
    found: dict[str, str] = {}
    for name, values in ctx.assigned.items():
        for value in values:
            if isinstance(value, ast.Call) and u.call_tail(value) == "APIRouter":
                prefix = u.const_str(u.kwarg(value, "prefix"))
                if prefix and prefix.startswith("/"):
                    found[name] = prefix.rstrip("/")
    for call, app in ctx.mounts:
        path = ctx.route_path(call)
        if isinstance(app, ast.Name) and path and path.startswith("/"):
            found[app.id] = path.rstrip("/") + found.get(app.id, "")
    for call in ctx.calls:
        if u.call_tail(call) == "include_router" and call.args and isinstance(call.args[0], ast.Name):
            prefix = u.const_str(u.kwarg(call, "prefix"))
            if prefix and prefix.startswith("/"):
                name = call.args[0].id
                found[name] = prefix.rstrip("/") + found.get(name, "")
    return found


def added_routes(ctx: Context) -> list[str]:
    """Literal URL paths the app adds: ``Route``/``Mount`` paths and ``@api.get(...)`` routes (with mount prefix)."""
    prefixes = _mount_prefixes(ctx)
    paths: list[str] = []
    for call in ctx.calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("Route", "WebSocketRoute"):
            paths.append(ctx.route_path(call) or "")
    for func in ctx.functions:
        for deco in func.decorator_list:
            if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr in ROUTE_METHODS:
                owner = deco.func.value.id if isinstance(deco.func.value, ast.Name) else ""
                path = u.const_str(u.arg(deco, 0, "path"))
                if path:
                    paths.append(prefixes.get(owner, "") + path)
    clean = []
    for path in paths:
        if path.startswith("/") and "{" not in path and path != "/" and not path.startswith(RESERVED):
            if path not in clean:
                clean.append(path)
    return clean


def lifespan_state(ctx: Context) -> list[str]:
    """What the app's lifespans prepare for the UI: the keys of a yielded dict, or "state" when they set it up."""
    found: list[str] = []
    for call in ctx.calls_with_kwarg("lifespan"):
        value = u.kwarg(call, "lifespan")
        for func in ctx.functions_named(value.id) if isinstance(value, ast.Name) else []:
            for node in ast.walk(func):
                if isinstance(node, ast.Yield) and node.value is not None:
                    target = ctx.unwrap(node.value)
                    keys = [u.const_str(k) for k in target.keys] if isinstance(target, ast.Dict) else []
                    found += [k for k in keys if k] or ["state"]
                elif isinstance(node, ast.Assign) and any(_is_state_target(t) for t in node.targets):
                    found.append("state")
    return list(dict.fromkeys(found))


def _is_state_target(node: ast.expr) -> bool:
    """``app.state.x = ...`` or ``state["x"] = ...``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "state"
    if isinstance(node, ast.Subscript):
        base = node.value
        return (isinstance(base, ast.Name) and base.id == "state") or (
            isinstance(base, ast.Attribute) and base.attr == "state"
        )
    return False


def suggest_for(folder: Path, entry: str, *, base_path: str = "/") -> SuggestedProbes:
    """Probes for the project at ``folder`` whose app is in ``entry``, reading what the entry imports from it."""
    project = Project(root=folder.resolve())  # lazy: only what the entry imports
    view = project.linked(entry)
    if view.module.tree is None:
        reason = view.module.error or "it cannot be read"
        return SuggestedProbes(probes=[], seen=[], notes=[f"{entry} cannot be checked: {reason}"])
    routes: list[str] = []
    for module in {m.path: m for m in view.origins.values()}.values():  # routes decorated in imported modules
        other = project.linked(module.path)
        if other.module.tree is not None:
            routes += added_routes(Context(other.tree, other.module.source, other.origins))
    return _suggest(Context(view.tree, view.module.source, view.origins), base_path, routes)


def suggest_probes(source: str, *, base_path: str = "/") -> SuggestedProbes:
    """Probes for the module ``source`` serving Streamlit at ``base_path``; a syntax error yields none."""
    try:
        ctx = Context(ast.parse(source), source)
    except SyntaxError as exc:
        return SuggestedProbes(probes=[], seen=[], notes=[f"the code does not parse ({exc.msg}, line {exc.lineno})"])
    return _suggest(ctx, base_path)


def _suggest(ctx: Context, base_path: str, more_routes: list[str] | None = None) -> SuggestedProbes:
    probes: list[Probe] = []
    seen: list[str] = []
    notes: list[str] = []
    guards = streamlit_guards(ctx)
    auth = [g for g in guards if not g.ip_guard]
    ip = [g for g in guards if g.ip_guard]
    stream = f"{base_path}_stcore/stream"
    strings = _strings(ctx)
    if auth:
        names = ", ".join(sorted({g.name for g in auth}))
        seen.append(f"an auth guard ({names}) in front of Streamlit")
        probes += [
            Probe(
                name="page is refused without a session",
                path=base_path,
                negative=True,
                expect_body_not_contains=[PAGE_MARKER],
                see_pattern="middleware_auth",
            ),
            Probe(
                name="websocket is refused without a session",
                kind="websocket",
                path=stream,
                negative=True,
                expect_ws="refused",
                see_pattern="middleware_auth",
            ),
        ]
        login = next((s for s in strings if LOGIN_RE.match(s)), None)
        if login:
            probes.append(
                Probe(name=f"login route {login} answers", path=login, expect_status=200, see_pattern="middleware_auth")
            )
        notes.append(
            "To prove the logged-in side too, add a first probe that logs in and names a jar "
            '(e.g. method = "POST", path = "/login", form = {username = "...", password = "..."}, jar = "session", '
            "follow_redirects = true); validate_app then runs the page and websocket checks with that jar. "
            "See the middleware_auth pattern's probes.toml."
        )
    if ip:
        seen.append("an IP allow-list in front of Streamlit")
        probes += [
            Probe(
                name=f"page is refused from {DISALLOWED_IP} through the proxy header",
                path=base_path,
                forwarded_for=DISALLOWED_IP,
                negative=True,
                expect_body_not_contains=[PAGE_MARKER],
                see_pattern="middleware_ip_whitelist",
            ),
            Probe(
                name=f"websocket is refused from {DISALLOWED_IP} through the proxy header",
                kind="websocket",
                path=stream,
                forwarded_for=DISALLOWED_IP,
                negative=True,
                expect_ws="refused",
                see_pattern="middleware_ip_whitelist",
            ),
        ]
        if not auth and any(LOOPBACK_RE.match(s) for s in strings):
            probes.append(
                Probe(
                    name="page is served to an allowed address (loopback)",
                    path=base_path,
                    expect_status=200,
                    expect_body_contains=[PAGE_MARKER],
                    see_pattern="middleware_ip_whitelist",
                )
            )
    headers = sorted({s.lower() for s in strings if s.lower() in SECURITY_HEADERS})
    if headers:
        seen.append(f"security headers: {', '.join(headers)}")
        probes.append(
            Probe(
                name="security headers are on the page",
                path=base_path,
                expect_headers={name: "" for name in headers},
                see_pattern="middleware_security_headers",
            )
        )
    state = lifespan_state(ctx)
    if state:
        seen.append(f"lifespan state for the UI: {', '.join(state[:8])}")
        ui_probe = Probe(
            name="the page renders with the lifespan's state (script runs, no exception shown)",
            kind="websocket",
            path=stream,
            expect_ws="runs",
            see_pattern="core_lifespan_lifecycle",
        )
        if auth:
            notes.append(
                "The UI's use of the lifespan's state is checked by the logged-in websocket run (universal checks, "
                'once you add a login probe with a jar); add expect_ws_contains = ["..."] to a websocket probe '
                "with that jar to name a value the page must show."
            )
        else:
            probes.append(ui_probe)
            notes.append(
                'To prove the page shows a value the lifespan prepared, add expect_ws_contains = ["..."] (text the '
                "page renders from it) to the lifespan probe."
            )
    for path in list(dict.fromkeys(added_routes(ctx) + (more_routes or [])))[:20]:
        seen.append(f"route {path}")
        probes.append(
            Probe(
                name=f"{path} answers, not with Streamlit's page",
                path=path,
                expect_body_not_contains=[PAGE_MARKER],
                see_pattern="route_custom_endpoints",
            )
        )
    return SuggestedProbes(probes=probes, seen=seen, notes=notes)
