"""Project mode: the checker and the probe suggestions follow a project's own imports across modules.

The projects are written here, in the shapes public st.App code takes: the guard in ``auth.py`` and attached in
``app.py``; the App built in ``ui.py`` and mounted by the parent; a package with relative imports and re-exports.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from st_patterns.checker import check_file
from st_patterns.checker.project_mode import check_folder, check_project
from st_patterns.checker.suggest import suggest_for
from st_patterns.projects.app_source import user_app_source
from st_patterns.projects.linker import Project

HTTP_ONLY_GUARD = """
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import PlainTextResponse

    SESSION = "session"


    def signed_in(request) -> bool:
        return request.cookies.get(SESSION) == "ok"


    class LoginRequired(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            if request.url.path == "/login" or signed_in(request):
                return await call_next(request)
            return PlainTextResponse("login required", status_code=401)
"""
APP_WITH_IMPORTED_GUARD = """
    from pathlib import Path

    from starlette.middleware import Middleware
    from streamlit.starlette import App

    from auth import LoginRequired as Guard

    app = App(str(Path(__file__).with_name("ui.py")), middleware=[Middleware(Guard)])
"""
GUARD_ON_SUB_APP_ONLY = """
    from pathlib import Path

    from fastapi import FastAPI
    from starlette.routing import Mount
    from streamlit.starlette import App

    from auth import LoginRequired

    api = FastAPI()
    api.add_middleware(LoginRequired)

    app = App(str(Path(__file__).with_name("ui.py")), routes=[Mount("/api", app=api)])
"""
UI_MODULE = """
    from pathlib import Path

    from streamlit.starlette import App

    st_app = App(str(Path(__file__).with_name("page.py")))
"""
PARENT_WITHOUT_LIFESPAN = """
    from fastapi import FastAPI

    from ui import st_app as dashboard

    app = FastAPI()
    app.mount("/dashboard", dashboard)
"""
PARENT_WITH_LIFESPAN = """
    from fastapi import FastAPI

    from ui import st_app as dashboard

    app = FastAPI(lifespan=dashboard.lifespan())
    app.mount("/dashboard", dashboard)
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip())
    return folder


def _rules(report) -> set[tuple[str, str]]:
    return {(file.filename, f.rule_id) for file in report.files for f in file.findings}


def test_a_guard_imported_from_another_module_is_judged_where_it_is_attached(tmp_path: Path) -> None:
    project = _write(tmp_path / "shop", {"auth.py": HTTP_ONLY_GUARD, "app.py": APP_WITH_IMPORTED_GUARD})
    report = check_folder(project)
    assert report.entry == "app.py:app" and report.checked == 2
    assert _rules(report) == {("auth.py", "ws-unguarded-middleware")}
    finding = report.files[0].findings[0]
    assert finding.file == "auth.py" and finding.line == 11  # the class statement, in auth.py's own lines
    assert not report.ok
    single = check_file(project / "app.py")  # one file, its imports followed
    assert [(f.file, f.rule_id) for f in single.findings] == [("auth.py", "ws-unguarded-middleware")]


def test_the_same_guard_on_a_mounted_sub_app_only_is_not_blamed(tmp_path: Path) -> None:
    project = _write(tmp_path / "shop", {"auth.py": HTTP_ONLY_GUARD, "app.py": GUARD_ON_SUB_APP_ONLY})
    report = check_folder(project)
    assert "ws-unguarded-middleware" not in {rule for _, rule in _rules(report)}  # auth.py alone cannot contradict
    assert report.ok


def test_an_app_built_in_another_module_is_seen_mounted_without_its_lifespan(tmp_path: Path) -> None:
    bad = check_folder(_write(tmp_path / "bad", {"ui.py": UI_MODULE, "main.py": PARENT_WITHOUT_LIFESPAN}))
    assert ("main.py", "missing-streamlit-lifespan") in _rules(bad)
    good = check_folder(_write(tmp_path / "good", {"ui.py": UI_MODULE, "main.py": PARENT_WITH_LIFESPAN}))
    assert "missing-streamlit-lifespan" not in {rule for _, rule in _rules(good)}
    assert user_app_source(tmp_path / "good").base_path == "/dashboard/"  # readiness found through the import


def test_packages_relative_imports_and_re_exports_are_followed() -> None:
    project = Project.from_sources(
        {
            "web/__init__.py": "",
            "web/security/__init__.py": "from .guards import LoginRequired\n",
            "web/security/guards.py": textwrap.dedent(HTTP_ONLY_GUARD),
            "web/main.py": "from pathlib import Path\nfrom starlette.middleware import Middleware\n"
            "from streamlit.starlette import App\nfrom .security import LoginRequired\n"
            "app = App('ui.py', middleware=[Middleware(LoginRequired)])\n",
        }
    )
    report = check_project(project)
    assert ("web/security/guards.py", "ws-unguarded-middleware") in _rules(report)
    assert report.root == "<files>"


def test_import_cycles_star_imports_and_missing_modules_are_harmless() -> None:
    project = Project.from_sources(
        {
            "a.py": "from b import *\nfrom nowhere import thing\nX = 1\n",
            "b.py": "from a import X\nclass Helper: pass\n",
        }
    )
    names = [getattr(s, "name", None) for s in project.linked("a.py").tree.body]
    assert "Helper" in names
    assert check_project(project).ok


def test_local_rules_stay_in_their_own_module(tmp_path: Path) -> None:
    project = _write(
        tmp_path / "p",
        {
            "ui.py": "import streamlit as st\nst_app = st.App(__file__)\n",  # self-launching: ui.py's own mistake
            "app.py": "from fastapi import FastAPI\nfrom ui import st_app\n"
            "app = FastAPI(lifespan=st_app.lifespan())\napp.mount('/d', st_app)\n",
        },
    )
    findings = [(file.filename, f.rule_id, f.line) for file in check_folder(project).files for f in file.findings]
    assert findings.count(("ui.py", "self-launching-app", 2)) == 1


def test_unparsable_files_are_reported_per_file_and_others_still_checked(tmp_path: Path) -> None:
    project = _write(
        tmp_path / "p", {"broken.py": "def (:\n", "auth.py": HTTP_ONLY_GUARD, "app.py": APP_WITH_IMPORTED_GUARD}
    )
    (project / ".venv").mkdir()
    (project / ".venv" / "junk.py").write_text("def (:\n")  # never walked into
    report = check_folder(project)
    assert {("broken.py", "syntax-error"), ("auth.py", "ws-unguarded-middleware")} <= _rules(report)
    assert report.checked == 3


def test_suggestions_see_a_guard_defined_in_another_module(tmp_path: Path) -> None:
    project = _write(tmp_path / "shop", {"auth.py": HTTP_ONLY_GUARD, "app.py": APP_WITH_IMPORTED_GUARD})
    suggested = suggest_for(project, "app.py")
    names = [p.name for p in suggested.probes]
    assert "websocket is refused without a session" in names and "login route /login answers" in names
    assert any("LoginRequired" in line or "Guard" in line for line in suggested.seen)


def test_suggestions_include_routes_decorated_in_imported_routers(tmp_path: Path) -> None:
    routes = """
        from fastapi import APIRouter

        router = APIRouter(prefix="/api/orders")


        @router.get("/recent")
        async def recent() -> list[int]:
            return []
    """
    main = """
        from fastapi import FastAPI

        from routes import router
        from ui import st_app

        app = FastAPI(lifespan=st_app.lifespan())
        app.include_router(router)
        app.mount("/dashboard", st_app)
    """
    project = _write(tmp_path / "shop", {"routes.py": routes, "main.py": main, "ui.py": UI_MODULE})
    names = [p.name for p in suggest_for(project, "main.py", base_path="/dashboard/").probes]
    assert "/api/orders/recent answers, not with Streamlit's page" in names
