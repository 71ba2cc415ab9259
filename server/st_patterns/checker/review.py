"""Review an agent's own st.App module: the static checker always, and optionally a real boot (user code!).

Example::

    review = review_app(source=open("app.py").read())
    [f.rule_id for f in review.findings]
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field

from st_patterns import checker
from st_patterns.checker.models import CheckReport
from st_patterns.checker.project_mode import ProjectReport, check_project
from st_patterns.errors import InvalidInput, UserCodeRefused
from st_patterns.instances.backends.base import Backend
from st_patterns.models import ValidationReport
from st_patterns.projects.linker import Project
from st_patterns.projects.streamlit_version import StreamlitTarget, detect_in, given
from st_patterns.projects.upload import check_files
from st_patterns.proving.boot import user_file_boot
from st_patterns.proving.universal import universal_probes
from st_patterns.proving.validator import run_checks


class AppReview(CheckReport):
    """The static report, plus the universal checks when the app was booted (dynamic mode)."""

    dynamic: ValidationReport | None = Field(
        default=None, description="Universal checks run against the booted app (dynamic mode only)."
    )


def _static(
    source: str | None,
    path: Path | None,
    files: Mapping[str, str] | None = None,
    streamlit: StreamlitTarget | None = None,
) -> CheckReport:
    if sum(x is not None for x in (source, path, files)) != 1:
        raise InvalidInput("Pass exactly one of `source` (the code), `path` (a .py file or folder) or `files`.")
    if files is not None:
        check_files(files)
        return flatten(check_project(Project.from_sources(files), streamlit=streamlit or detect_in(files)))
    if path is not None:
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            raise InvalidInput(f"Cannot use {str(path)[:200]!r}: {exc}.") from exc
        if is_dir:
            return flatten(check_project(Project.from_folder(path), root=str(path), streamlit=streamlit))
        if path.suffix != ".py":
            raise InvalidInput(f"{str(path)[:200]!r} is not a .py file; check_app reviews Python modules.")
        return checker.check_file(path, streamlit)
    return checker.check_source(source or "", "<source>", streamlit)


def flatten(report: ProjectReport) -> CheckReport:
    """A project's per-file reports as one report whose findings name their file."""
    findings = [f.model_copy(update={"file": r.filename}) for r in report.files for f in r.findings]
    return CheckReport(
        filename=report.entry or report.root,
        findings=findings,
        errors=report.errors,
        warnings=report.warnings,
        infos=report.infos,
        ok=report.ok,
        suppressed=report.suppressed,
    )


def review_app(
    *,
    source: str | None = None,
    path: Path | None = None,
    files: Mapping[str, str] | None = None,
    streamlit_version: str | None = None,
    dynamic: bool = False,
    allow_user_code: bool = False,
    sandbox: Backend | None = None,
    host: Backend | None = None,
    no_sandbox_reason: str = "no sandbox is configured",
    log_dir: Path | None = None,
) -> AppReview:
    """Check statically; with ``dynamic`` also boot the module and run the universal checks against it.

    The boot runs in ``sandbox`` when there is one; on ``host`` only with ``allow_user_code``; else it is refused
    with UserCodeRefused saying what would allow it.
    """
    target = given(streamlit_version) if streamlit_version else None
    report = _static(source, path, files, target)
    review = AppReview(**report.model_dump())
    if not dynamic:
        return review
    if files is not None or (path is not None and path.is_dir()):
        raise InvalidInput("Dynamic mode boots one module: pass `path` of a .py file, or use validate_app.")
    launcher = sandbox if sandbox is not None else (host if allow_user_code else None)
    if launcher is None and not allow_user_code:
        raise UserCodeRefused(
            f"Dynamic mode runs your code, which needs a sandbox, and {no_sandbox_reason}. Install bubblewrap "
            "(apt-get install bubblewrap) or start Docker and restart with `st-patterns serve --sandbox auto`, or "
            "pass --allow-user-code to run it unsandboxed on the host; or call check_app without dynamic."
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
