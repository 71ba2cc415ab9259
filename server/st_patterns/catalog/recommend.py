"""Rank catalog patterns for a need described in plain words.

A small, explainable scorer: words of the need are matched against each pattern's tags, title, summary,
when-to-use lines and id, with weights per field; the reason names the words that matched and the
pattern's first "when to use" line. Deterministic and dependency-free, so the ranking can be tested.

Example::

    recommend(catalog, "protect my dashboard with a password")[0].pattern.id  # 'middleware_auth'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from st_patterns.catalog import guards
from st_patterns.catalog.loader import Catalog, Pattern
from st_patterns.errors import InvalidInput
from st_patterns.models import Recommendation

_STOP = frozenset(
    "a an and are as at be but by can do for from have how i in into is it me my need of on or our so that the "
    "their them then there this to use using want we when with without you your app streamlit".split()
)
# Everyday words an agent writes, folded onto the words patterns are tagged with.
_SYNONYMS = {
    "password": "auth",
    "passwords": "auth",
    "login": "auth",
    "logged": "auth",
    "authentication": "auth",
    "authenticate": "auth",
    "protect": "auth",
    "private": "auth",
    "endpoint": "api",
    "endpoints": "api",
    "rest": "api",
    "webhook": "api",
    "webhooks": "api",
    "json": "api",
    "header": "headers",
    "csp": "headers",
    "clickjacking": "headers",
    "hsts": "headers",
    "address": "ip",
    "addresses": "ip",
    "allowlist": "ip",
    "whitelist": "ip",
    "firewall": "ip",
    "network": "ip",
    "startup": "lifespan",
    "shutdown": "lifespan",
    "model": "lifespan",
    "preload": "lifespan",
    "agent": "mcp",
    "agents": "mcp",
    "llm": "mcp",
    "tools": "mcp",
    "robots": "seo",
    "sitemap": "seo",
    "crawler": "seo",
    "pwa": "seo",
    "manifest": "seo",
    "css": "static",
    "images": "static",
    "assets": "static",
    "files": "static",
    "cookie": "cookies",
    "preferences": "cookies",
    "wsgi": "flask",
    "subapp": "mount",
}
MAX_LIMIT = 20
_WEIGHTS = (("tags", 3.0), ("title", 2.0), ("id", 2.0), ("summary", 1.5), ("when_to_use", 1.0))


def _tokens(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in _STOP or len(word) < 2:
            continue
        out.append(word)  # the word itself too: "password" matches a pattern tagged password above any auth one
        if word in _SYNONYMS:
            out.append(_SYNONYMS[word])
        if word.endswith("s") and len(word) > 3:
            out.append(word[:-1])
    return out


def _fields(pattern: Pattern) -> dict[str, set[str]]:
    m = pattern.meta
    return {
        "tags": set(_tokens(" ".join(m.tags))),
        "title": set(_tokens(m.title)),
        "id": set(_tokens(m.id.replace("_", " "))),
        "summary": set(_tokens(m.summary)),
        "when_to_use": set(_tokens(" ".join(m.when_to_use))),
    }


def _rarity(patterns: Iterable[dict[str, set[str]]], words: set[str]) -> dict[str, float]:
    """How telling each word is: one that a single pattern uses counts 1; one that every pattern uses, ~0.3
    (a smoothed inverse document frequency, so "api" or "dashboard" cannot outvote "fastapi" or "password")."""
    sets = [set().union(*fields.values()) for fields in patterns]
    total = len(sets)
    out = {}
    for word in words:
        used = sum(word in tokens for tokens in sets)
        out[word] = (math.log((total + 1) / (used + 1)) + 1) / (math.log((total + 1) / 2) + 1)
    return out


def recommend(catalog: Catalog, need: str, limit: int = 3) -> list[Recommendation]:
    """Patterns ranked for ``need``, best first; only patterns with at least one matching word."""
    guards.check_text(need, "need")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}.")
    words = set(_tokens(need))
    if not words:
        raise InvalidInput("Describe the need in a few words, e.g. 'add a JSON API next to my dashboard'.")
    ranked: list[Recommendation] = []
    every = {pattern.id: _fields(pattern) for pattern in catalog}
    rarity = _rarity(every.values(), words)
    for pattern in catalog:
        fields = every[pattern.id]
        score = 0.0
        matched: set[str] = set()
        for name, weight in _WEIGHTS:
            hits = words & fields[name]
            score += weight * sum(rarity[word] for word in hits)
            matched |= hits
        if score <= 0:
            continue
        reason = (
            f"Matches {', '.join(sorted(matched))}. Use it when: {pattern.meta.when_to_use[0]}"
            if matched
            else pattern.meta.when_to_use[0]
        )
        ranked.append(Recommendation(pattern=pattern.summary(), score=round(score, 2), reason=reason))
    ranked.sort(key=lambda r: (-r.score, r.pattern.id))
    return ranked[:limit]
