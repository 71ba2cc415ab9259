"""Pydantic records the core returns and every face shows: MCP structured output, CLI JSON, dashboard."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class VersionAnswer(BaseModel):
    """How a pattern stands on one user's Streamlit release (from the committed version matrix)."""

    version: str = Field(description="The release asked about.")
    status: Literal["proven", "failing", "needs-newer", "untested", "no-st-app"]
    release: str | None = Field(default=None, description="The matrix release that stands for it (same minor).")
    range: str | None = Field(default=None, description="The pattern's proven range, e.g. '>=1.53,<=1.67'.")
    pins: list[str] = Field(default_factory=list, description="Requirements to pin on that release (and why).")
    detail: str


class PatternSummary(BaseModel):
    id: str
    title: str
    category: Literal["skeleton", "guard", "bridge", "operations"]
    summary: str
    streamlit: str | None = Field(
        default=None, description="Streamlit releases the pattern is proven on, e.g. '>=1.53,<=1.67'."
    )
    on_version: VersionAnswer | None = Field(
        default=None, description="With streamlit_version: how the pattern stands on that release."
    )


class SourceFile(BaseModel):
    path: str = Field(description="Path relative to the pattern folder.")
    text: str
    start: int = Field(default=0, description="Byte offset in the file where `text` begins (0: from the top).")
    complete: bool = Field(default=True, description="False when the budget cut this file: ask for next_offset.")


class PatternDetail(PatternSummary):
    when_to_use: list[str]
    when_not_to_use: list[str]
    requirements: list[str]
    run: str = Field(description="How to run the reference app.")
    paths: list[dict[str, str]] = Field(description="URL paths the pattern adds, with what each answers.")
    related: list[str]
    pitfalls: list[str]
    base_path: str = Field(description="Where the Streamlit page is served.")
    files: list[SourceFile] = Field(
        description="The reference app's code files with their text (others on request: include), in order."
    )
    other_files: list[str] = Field(
        default_factory=list, description="Files not sent (explanation.md, pattern.toml, probes.toml): see include."
    )
    next_offset: int | None = Field(
        default=None, description="Set when max_bytes cut the files: call again with offset=next_offset for the rest."
    )
    total_bytes: int = Field(default=0, description="Bytes of all the files asked for (the whole stream).")


class Explanation(BaseModel):
    pattern_id: str
    title: str
    problem: str
    how_it_works: str
    key_lines: str
    what_breaks: str
    markdown: str = Field(description="The whole explanation as markdown.")


class Recommendation(BaseModel):
    pattern: PatternSummary
    score: float = Field(description="Relevance, higher is better.")
    reason: str = Field(description="Why this pattern fits the need.")


class ProbeResult(BaseModel):
    name: str
    kind: Literal["http", "websocket", "log", "shutdown"]
    passed: bool
    negative: bool = False
    expected: str
    actual: str
    seconds: float
    see_pattern: str | None = Field(default=None, description="The pattern to read when this check fails.")


class CheckResult(ProbeResult):
    group: Literal["pattern", "universal"] = Field(
        description="pattern = the pattern's own probes; universal = checks every st.App must pass."
    )


class ValidationReport(BaseModel):
    pattern_id: str
    passed: bool = Field(description="True when every check passed.")
    checks: list[CheckResult]
    total: int
    failed: int
    seconds: float = Field(
        description="Wall time for this pattern: boot and checks (in a run of several, its stop overlaps the next)."
    )
    boot_seconds: float | None = Field(default=None, description="Launch-to-healthy time of the app under test.")
    started_at: str = Field(description="ISO-8601 UTC time the validation started.")
    error: str | None = Field(default=None, description="Why the app could not be validated (e.g. failed to boot).")
    skipped: str | None = Field(
        default=None, description="Why the pattern was not validated here (e.g. 'needs nginx'); never a pass."
    )


class ValidationSummary(BaseModel):
    reports: list[ValidationReport]
    passed: bool
    patterns: int
    checks: int
    failed_checks: int
    skipped: list[str] = Field(default_factory=list, description="Patterns not validated here, with the reason.")
    seconds: float = Field(description="Wall time of the whole run.")
    sum_seconds: float = Field(description="Sum of per-pattern times (what a sequential run would roughly cost).")


# -- sandboxes (what contains a launched app; see st_patterns.instances.backends) --------------------------------
SandboxName = Literal["none", "bwrap", "docker"]
SandboxMode = Literal["auto", "none", "bwrap", "docker"]


class Limits(BaseModel):
    """What one sandboxed app may use (each sandbox enforces all three; the host backend enforces none)."""

    memory_mb: int = Field(default=512, ge=64, le=65536, description="Memory limit in MiB (killed above it).")
    cpus: float = Field(default=1.0, gt=0, le=64, description="CPU limit in cores.")
    pids: int = Field(default=256, ge=16, le=65536, description="Most processes and threads at once.")

    def text(self) -> str:
        return f"{self.memory_mb} MiB, {self.cpus:g} CPU, {self.pids} processes"


class SandboxInfo(BaseModel):
    """How instances are contained, as /healthz, the CLI, MCP and the dashboard show it."""

    name: SandboxName = Field(description="none: runs on the host; bwrap: bubblewrap namespaces; docker: a container.")
    contained: bool = Field(description="True when the app cannot see the host's files, network or other apps.")
    limits: Limits | None = Field(description="Enforced resource limits; None on the host.")
    detail: str = Field(description="One line: what contains the app, or why no sandbox is active.")
