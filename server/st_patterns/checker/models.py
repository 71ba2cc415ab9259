"""Records the static checker returns; every face shows them as-is (MCP structured output, CLI JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    """One problem found in the checked source, with the concrete change that fixes it."""

    rule_id: str = Field(
        description="Kebab-case id of the rule that fired, e.g. 'ws-unguarded-middleware' or 'syntax-error'."
    )
    severity: Severity = Field(
        description=(
            "'error': a security hole or something that breaks at runtime; fix before shipping. "
            "'warning': works but is fragile or slow. 'info': worth knowing."
        )
    )
    file: str | None = Field(
        default=None,
        description="Project mode: the file the finding is in, relative to the project root (null: the checked file).",
    )
    line: int = Field(description="1-based line of the offending code in the checked source.", ge=1)
    column: int = Field(description="1-based column of the offending code on that line.", ge=1)
    message: str = Field(description="What is wrong here and what goes wrong at runtime because of it.")
    fix: str = Field(description="What to write instead, concretely (code or the exact change).")
    see_pattern: str | None = Field(
        description="Catalog pattern whose reference app shows the correct way (read it with explain_pattern), "
        "or null when no pattern applies."
    )


class CheckReport(BaseModel):
    """The result of checking one source file: its findings sorted by position, and counts per severity."""

    filename: str = Field(description="Name of the checked file as given by the caller ('<source>' for raw text).")
    findings: list[Finding] = Field(description="Every finding, sorted by line then column.")
    errors: int = Field(description="Number of error-level findings.", ge=0)
    warnings: int = Field(description="Number of warning-level findings.", ge=0)
    infos: int = Field(description="Number of info-level findings.", ge=0)
    ok: bool = Field(description="True when there is no error-level finding (warnings and infos are allowed).")
    suppressed: int = Field(default=0, ge=0, description="Findings silenced by `# st-patterns: ignore[...]` comments.")
