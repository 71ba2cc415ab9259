"""Review an agent's own st.App module: the static checker always, and optionally a real boot (user code!).

Example::

    review = review_app(source=open("app.py").read())
    [f.rule_id for f in review.findings]
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from pydantic import Field

from st_patterns import checker
from st_patterns.checker.models import CheckReport
from st_patterns.errors import InvalidInput, UserCodeRefused
from st_patterns.instances.launcher import Launcher
from st_patterns.models import ValidationReport
from st_patterns.proving.boot import user_file_boot
from st_patterns.proving.universal import universal_probes
from st_patterns.proving.validator import run_checks


class AppReview(CheckReport):
    """The static report, plus the universal checks when the app was booted (dynamic mode)."""

    dynamic: ValidationReport | None = Field(
        default=None, description="Universal checks run against the booted app (dynamic mode only)."
    )


def _static(source: str | None, path: Path | None) -> CheckReport:
    if (source is None) == (path is None):
        raise InvalidInput("Pass exactly one of `source` (the code) or `path` (a .py file).")
    if path is not None:
        if path.suffix != ".py":
            raise InvalidInput(f"{str(path)[:200]!r} is not a .py file; check_app reviews Python modules.")
        return checker.check_file(path)
    return checker.check_source(source or "", "<source>")


def review_app(
    *,
    source: str | None = None,
    path: Path | None = None,
    dynamic: bool = False,
    allow_user_code: bool = False,
    launcher: Launcher | None = None,
    log_dir: Path | None = None,
) -> AppReview:
    """Check statically; with ``dynamic`` also boot the module and run the universal checks against it."""
    report = _static(source, path)
    review = AppReview(**report.model_dump())
    if not dynamic:
        return review
    if not allow_user_code:
        raise UserCodeRefused(
            "Dynamic mode executes your code, and this server was not started with --allow-user-code. "
            "Restart it with `st-patterns serve --allow-user-code`, or call check_app without dynamic."
        )
    if launcher is None:
        raise InvalidInput("Dynamic mode needs a launcher.")
    with tempfile.TemporaryDirectory(prefix="st-patterns-user-") as tmp:
        target = path
        if target is None:
            target = Path(tmp) / "user_app.py"
            target.write_text(source or "", encoding="utf-8")
        logs = log_dir or Path(tmp)
        review.dynamic = asyncio.run(
            run_checks(
                target.name,
                lambda: user_file_boot(launcher, target, logs),
                [("universal", universal_probes())],
                marker="",  # unknown: a clean script_finished is the proof the script ran
            )
        )
    review.ok = review.ok and review.dynamic.passed
    return review
