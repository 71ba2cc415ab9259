"""The pattern folder contract, written down in one place.

A pattern is a folder under ``patterns/`` holding:

- ``pattern.toml``   metadata, validated by :class:`PatternMeta`;
- ``probes.toml``    ``[[probe]]`` tables, each validated by :class:`Probe`, and ``[[sidecar]]`` tables
  (:class:`Sidecar`: nginx, an OIDC provider, a second worker... started beside the app for its probes);
- ``explanation.md`` with the H2 sections named in :data:`EXPLANATION_SECTIONS`;
- the reference app: ``app.py`` (an ASGI module exposing ``app``; ``uvicorn app:app`` serves it from any
  working directory) and the Streamlit script it serves (``ui.py``), plus any other files it needs.

Adding a pattern means adding a folder; nothing else in the code lists pattern ids.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PATTERN_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
METADATA_FILE = "pattern.toml"
PROBES_FILE = "probes.toml"
EXPLANATION_FILE = "explanation.md"
EXPLANATION_SECTIONS = ("Problem", "How it works", "Key lines", "What breaks")

Category = Literal["skeleton", "guard", "bridge", "operations"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathInfo(_Strict):
    """A URL path the pattern adds, with what it answers."""

    path: str = Field(pattern=r"^/")
    description: str


class PatternMeta(_Strict):
    """Metadata of one pattern (``pattern.toml``)."""

    id: str
    title: str
    category: Category
    summary: str = Field(max_length=200)
    when_to_use: list[str] = Field(min_length=1)
    when_not_to_use: list[str] = Field(min_length=1)
    requirements: list[str] = Field(default_factory=list, description="Extra pip requirements beyond streamlit.")
    run: str = Field(description="How to run it, e.g. 'uvicorn app:app --port 8501'.")
    paths: list[PathInfo] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    pitfalls: list[str] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    entry: str = Field(default="app.py", description="ASGI module exposing `app`.")
    ui: str = Field(default="ui.py", description="The Streamlit script the app serves.")
    ui_marker: str = Field(description="Text the UI script writes, so a probe can see the script really ran.")
    base_path: str = Field(default="/", pattern=r"^/(.*/)?$", description="Where the Streamlit page is served.")
    proxy_headers: bool = Field(
        default=True, description="Serve with uvicorn's proxy header handling (off for apps that do their own)."
    )
    env: dict[str, str] = Field(default_factory=dict, description="Environment the reference app is served with.")
    universal_jar: str | None = Field(
        default=None, description="Cookie jar (filled by this pattern's probes) the universal checks use."
    )
    preload: list[str] = Field(
        default_factory=list, description="Modules a launcher may import ahead of time to start this app faster."
    )
    min_streamlit: str | None = Field(
        default=None,
        pattern=r"^1\.\d+$",
        description="Oldest release the pattern is written for (it shows an API added then): the version matrix "
        "marks older releases 'needs a newer Streamlit', not failing.",
    )
    min_streamlit_why: str | None = Field(default=None, description="What that release added, e.g. 'App.run()'.")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not PATTERN_ID_RE.match(value):
            raise ValueError("id must be lowercase letters, digits and underscores, starting with a letter")
        return value


class Probe(_Strict):
    """One declarative check against a running app (a ``[[probe]]`` table in ``probes.toml``).

    Probes run in file order. Probes naming the same ``jar`` share cookies, so a login probe can hand its
    session cookie to the probes after it.
    """

    name: str
    kind: Literal["http", "websocket", "log", "shutdown"] = Field(
        default="http",
        description="http/websocket: a request; log: judge the app's log so far (body expectations); shutdown: "
        "SIGTERM the app after every other probe and judge how fast it exits and what it logged.",
    )
    target: str | None = Field(default=None, description="A sidecar's name: send the probe there, not to the app.")
    negative: bool = Field(default=False, description="True when the probe proves something is refused.")
    method: Literal["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] = "GET"
    path: str = Field(default="/", pattern=r"^/", description="URL path (log and shutdown probes need none).")
    headers: dict[str, str] = Field(default_factory=dict)
    cookies: dict[str, str] = Field(default_factory=dict)
    form: dict[str, str] = Field(default_factory=dict)
    json_body: dict[str, object] | None = None
    jar: str | None = None
    forwarded_for: str | None = Field(default=None, description="X-Forwarded-For value to send.")
    source_ip: str = Field(default="127.0.0.1", description="Loopback address to connect from (127.0.0.0/8).")
    follow_redirects: bool = False
    repeat: int = Field(default=1, ge=1, le=200, description="Send it this many times; the last answer is judged.")
    submit_form: bool = Field(
        default=False,
        description="GET path (following redirects), fill the page's first <form> with `form` over its own inputs, "
        "submit it and follow redirects (across hosts: a login through an identity provider).",
    )
    capture: dict[str, str] = Field(
        default_factory=dict,
        description="NAME -> regex on the body (websocket: the run's messages); later probes use {{NAME}}.",
    )
    within_seconds: float = Field(default=10.0, gt=0, le=60, description="shutdown probes: the exit deadline.")
    expect_status: int | None = Field(
        default=None,
        description="The answer's status; on a websocket probe, the handshake's (101 accepted; 403 refused before "
        "accepting, as a guard should, unlike accepting and then closing).",
    )
    expect_status_in: list[int] = Field(
        default_factory=list, description="Any of these statuses passes (a refusal some releases answer differently)."
    )
    expect_headers: dict[str, str] = Field(
        default_factory=dict, description="Header name -> substring its value must contain."
    )
    expect_headers_absent: list[str] = Field(default_factory=list)
    expect_body_contains: list[str] = Field(default_factory=list)
    expect_body_not_contains: list[str] = Field(default_factory=list)
    expect_ws: Literal["runs", "refused", "accepted"] | None = Field(
        default=None,
        description="websocket probes: the script runs (to completion, marker seen, no exception shown on the "
        "page), the socket is refused, or (a socket of your own, not Streamlit's) it is accepted.",
    )
    ws_send: list[str] = Field(default_factory=list, description="accepted websockets: texts sent once open.")
    expect_ws_contains: list[str] = Field(
        default_factory=list,
        description="websocket probes: text the script's run must render (e.g. a value the lifespan loaded), or "
        "an accepted socket's messages must carry.",
    )
    see_pattern: str | None = Field(default=None, description="The pattern to read when this probe fails.")

    @field_validator("source_ip")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if not value.startswith("127."):
            raise ValueError("source_ip must be a 127.0.0.0/8 loopback address")
        return value

    @field_validator("capture")
    @classmethod
    def _captures_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            if not SIDECAR_NAME_RE.match(name):
                raise ValueError(f"capture name {name!r} must be lowercase letters, digits and underscores")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"capture {name!r}: {exc}") from exc
        return value


SIDECAR_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
SIDECAR_FIELDS = ("port", "url")
GLOBAL_PLACEHOLDERS = ("app_port", "app_url", "python", "server_python", "pattern_dir", "dir", "base_path")


class DockerImage(_Strict):
    """A sidecar built from a Dockerfile in the pattern folder and run with one port published on loopback."""

    dockerfile: str = "Dockerfile"
    port: int = Field(ge=1, le=65535, description="The container port, published on 127.0.0.1:{{port}}.")
    build_args: dict[str, str] = Field(default_factory=dict)


class Sidecar(_Strict):
    """Another real program a pattern's probes need (a ``[[sidecar]]`` table): nginx, an OIDC provider, a worker.

    Validation picks every port first, starts the sidecars in file order before the app, feeds ``app_env`` into
    the app's environment and stops them after it. ``{{...}}`` placeholders are filled in ``command``, ``env``,
    ``app_env`` and the ``templates`` files (double braces, so an nginx config's own braces stay as they are).
    """

    name: str
    needs: list[str] = Field(
        default_factory=list,
        description='Programs on PATH, "python:module" importable by st-patterns\' Python, or "docker" (a daemon): '
        "when one is missing the pattern is skipped, saying so.",
    )
    command: list[str] = Field(default_factory=list)
    docker: DockerImage | None = None
    templates: list[str] = Field(default_factory=list, description="Pattern files rendered into {{dir}}.")
    env: dict[str, str] = Field(default_factory=dict)
    app_env: dict[str, str] = Field(default_factory=dict)
    ready: str = Field(default="tcp", description='"tcp" (the port accepts) or an HTTP path answering < 500.')
    timeout: float = Field(default=20.0, gt=0, le=300)
    app_connects: bool = Field(
        default=False,
        description="The app itself opens connections to this sidecar (an identity provider): a sandbox that gives "
        "the app no network cannot run the pattern, so it is skipped there, saying why.",
    )

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not SIDECAR_NAME_RE.match(value):
            raise ValueError("sidecar name must be lowercase letters, digits and underscores, starting with a letter")
        return value

    @field_validator("ready")
    @classmethod
    def _ready_shape(cls, value: str) -> str:
        if value != "tcp" and not value.startswith("/"):
            raise ValueError('ready must be "tcp" or an HTTP path starting with /')
        return value

    @field_validator("templates")
    @classmethod
    def _templates_inside(cls, value: list[str]) -> list[str]:
        for name in value:
            if name.startswith("/") or ".." in name.split("/") or not name:
                raise ValueError(f"template {name!r} must be a relative path inside the pattern folder")
        return value

    @model_validator(mode="after")
    def _one_way_to_run(self) -> Sidecar:
        if bool(self.command) == (self.docker is not None):
            raise ValueError(f"sidecar {self.name!r} needs either command or docker, not both")
        return self


def placeholders(text: str) -> list[str]:
    """The ``{{name}}`` placeholders of ``text``, in order."""
    return PLACEHOLDER_RE.findall(text)


class ProbeFile(_Strict):
    """The whole ``probes.toml``."""

    probe: list[Probe] = Field(min_length=1)
    sidecar: list[Sidecar] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> ProbeFile:
        """Every ``target`` names a sidecar and every placeholder is known: typos fail at load, not mid-run."""
        names = [s.name for s in self.sidecar]
        if len(set(names)) != len(names):
            raise ValueError("sidecar names must be unique")
        known = set(GLOBAL_PLACEHOLDERS) | set(SIDECAR_FIELDS)
        known |= {f"{name}.{part}" for name in names for part in SIDECAR_FIELDS}
        for sidecar in self.sidecar:
            texts = [*sidecar.command, *sidecar.env.values(), *sidecar.app_env.values()]
            for text in texts:
                for name in placeholders(text):
                    if name not in known:
                        raise ValueError(f"sidecar {sidecar.name!r}: unknown placeholder {{{{{name}}}}}")
        captured: set[str] = set()
        for probe in self.probe:
            if probe.target is not None and probe.target not in names:
                raise ValueError(f"probe {probe.name!r}: target {probe.target!r} is not a sidecar ({names or 'none'})")
            texts = [probe.path, *probe.headers.values(), *probe.cookies.values(), *probe.form.values()]
            texts += [*probe.expect_headers.values(), *probe.expect_body_contains, *probe.expect_body_not_contains]
            texts += [*probe.expect_ws_contains, *probe.ws_send]
            for text in texts:
                for name in placeholders(text):
                    if name not in captured and name not in known:
                        raise ValueError(f"probe {probe.name!r}: {{{{{name}}}}} is captured by no earlier probe")
            captured |= set(probe.capture)
        return self
