"""Pydantic records the core returns and every face shows: MCP structured output, CLI JSON, dashboard."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PatternSummary(BaseModel):
    id: str
    title: str
    category: Literal["skeleton", "guard", "bridge"]
    summary: str
    tags: list[str] = Field(default_factory=list)


class SourceFile(BaseModel):
    path: str = Field(description="Path relative to the pattern folder.")
    text: str


class PatternDetail(PatternSummary):
    when_to_use: list[str]
    when_not_to_use: list[str]
    requirements: list[str]
    run: str = Field(description="How to run the reference app.")
    paths: list[dict[str, str]] = Field(description="URL paths the pattern adds, with what each answers.")
    related: list[str]
    pitfalls: list[str]
    base_path: str = Field(description="Where the Streamlit page is served.")
    files: list[SourceFile] = Field(description="Every source file of the reference app, with its text.")


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
    kind: Literal["http", "websocket"]
    passed: bool
    negative: bool = False
    expected: str
    actual: str
    seconds: float
