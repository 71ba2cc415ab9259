"""The pattern folder contract, written down in one place.

A pattern is a folder under ``patterns/`` holding:

- ``pattern.toml``   metadata, validated by :class:`PatternMeta`;
- ``probes.toml``    ``[[probe]]`` tables, each validated by :class:`Probe`;
- ``explanation.md`` with the H2 sections named in :data:`EXPLANATION_SECTIONS`;
- the reference app: ``app.py`` (an ASGI module exposing ``app``; ``uvicorn app:app`` serves it from any
  working directory) and the Streamlit script it serves (``ui.py``), plus any other files it needs.

Adding a pattern means adding a folder; nothing else in the code lists pattern ids.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    kind: Literal["http", "websocket"] = "http"
    negative: bool = Field(default=False, description="True when the probe proves something is refused.")
    method: Literal["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] = "GET"
    path: str = Field(pattern=r"^/")
    headers: dict[str, str] = Field(default_factory=dict)
    cookies: dict[str, str] = Field(default_factory=dict)
    form: dict[str, str] = Field(default_factory=dict)
    json_body: dict[str, object] | None = None
    jar: str | None = None
    forwarded_for: str | None = Field(default=None, description="X-Forwarded-For value to send.")
    source_ip: str = Field(default="127.0.0.1", description="Loopback address to connect from (127.0.0.0/8).")
    follow_redirects: bool = False
    expect_status: int | None = None
    expect_status_in: list[int] = Field(
        default_factory=list, description="Any of these statuses passes (a refusal some releases answer differently)."
    )
    expect_headers: dict[str, str] = Field(
        default_factory=dict, description="Header name -> substring its value must contain."
    )
    expect_headers_absent: list[str] = Field(default_factory=list)
    expect_body_contains: list[str] = Field(default_factory=list)
    expect_body_not_contains: list[str] = Field(default_factory=list)
    expect_ws: Literal["runs", "refused"] | None = Field(
        default=None,
        description="websocket probes: the script runs (to completion, marker seen, no exception shown on the "
        "page) or the socket is refused.",
    )
    expect_ws_contains: list[str] = Field(
        default_factory=list,
        description="websocket probes: text the script's run must render (e.g. a value the lifespan loaded).",
    )
    see_pattern: str | None = Field(default=None, description="The pattern to read when this probe fails.")

    @field_validator("source_ip")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if not value.startswith("127."):
            raise ValueError("source_ip must be a 127.0.0.0/8 loopback address")
        return value


class ProbeFile(_Strict):
    """The whole ``probes.toml``."""

    probe: list[Probe] = Field(min_length=1)
