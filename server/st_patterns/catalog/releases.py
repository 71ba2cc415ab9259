"""The Streamlit releases that have ``st.App`` (``streamlit.starlette.App`` since 1.53, ``st.App`` since 1.57),
and the version arithmetic the matrix, the catalog and the checker share.

Example::

    RELEASES                               # ("1.53.1", "1.54.0", ..., "1.67.0")
    covering("1.58")                       # "1.58.0": the release a user on 1.58.x is answered for
"""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from st_patterns.errors import InvalidInput

# The latest patch of every minor release from 1.53 (first with streamlit.starlette.App) to the newest verified.
RELEASES: tuple[str, ...] = (
    "1.53.1", "1.54.0", "1.55.0", "1.56.0", "1.57.0", "1.58.0", "1.59.2", "1.60.0",
    "1.61.1", "1.62.0", "1.63.0", "1.64.0", "1.65.0", "1.66.1", "1.67.0",
)  # fmt: skip
# What a release needs pinned beside it to work today (its own requirements allow newer, broken combinations).
# The matrix builds those environments with the pin, as a lock file from that time would have it; the catalog
# tells users on those releases to pin it too.
PINS: tuple[tuple[str, str, str], ...] = (
    (
        "<1.61",
        "starlette<1.4",
        "Streamlit 1.53-1.60 accept any Starlette below 2, but with Starlette 1.4 or newer every static file they "
        "serve (the UI's JavaScript, CSS, favicon) answers 500 and streamed responses (MCP over streamable HTTP) "
        "fail; Streamlit 1.61 caps starlette<1.4. On these releases pin `starlette<1.4`.",
    ),
)
FIRST_APP = Version("1.53")  # from streamlit.starlette import App
FIRST_ST_APP = Version("1.57")  # st.App
FIRST_APP_RUN = Version("1.59")  # App.run()
# App(...) keyword arguments and the release that added each (measured in the matrix environments)
FIRST_APP_KWARGS = {"secrets": Version("1.57"), "on_script_error": Version("1.58")}


def parse(text: str) -> Version:
    """A release number as users write it (``1.58``, ``1.58.0``, ``v1.58.1``); InvalidInput otherwise."""
    cleaned = text.strip().removeprefix("v")
    try:
        version = Version(cleaned)
    except InvalidVersion as exc:
        raise InvalidInput(f"{text[:40]!r} is not a Streamlit version; write it like 1.58 or 1.58.1.") from exc
    return version


def minor(version: Version | str) -> tuple[int, int]:
    v = parse(version) if isinstance(version, str) else version
    return (v.major, v.minor)


def covering(text: str) -> str | None:
    """The matrix release that stands for ``text``: the latest patch of its minor (None: outside 1.53-newest)."""
    wanted = minor(parse(text))
    return next((r for r in RELEASES if minor(r) == wanted), None)


def select(spec: str | None) -> list[str]:
    """Releases for ``--streamlit 1.53,1.67`` (minor or exact), all of them for None; InvalidInput for others."""
    if spec is None:
        return list(RELEASES)
    chosen: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        release = covering(part)
        if release is None:
            raise InvalidInput(
                f"Streamlit {part} has no st.App (it exists from 1.53 on) or is newer than the newest verified "
                f"release; choose among {', '.join(RELEASES)}."
            )
        if release not in chosen:
            chosen.append(release)
    if not chosen:
        raise InvalidInput("--streamlit names no version; e.g. --streamlit 1.53,1.67.")
    return sorted(chosen, key=Version)


def satisfying(requirement: str) -> list[str]:
    """Matrix releases a requirement specifier allows (``>=1.56,<1.60`` -> 1.56.0 ... 1.59.2)."""
    try:
        spec = SpecifierSet(requirement)
    except InvalidSpecifier as exc:
        raise InvalidInput(f"{requirement[:60]!r} is not a version specifier such as '>=1.56,<1.60'.") from exc
    return [r for r in RELEASES if Version(r) in spec]


def pins_for(version: str) -> list[tuple[str, str]]:
    """``(requirement, why)`` for each pin a release needs beside it (see PINS)."""
    return [(requirement, why) for spec, requirement, why in PINS if Version(version) in SpecifierSet(spec)]
