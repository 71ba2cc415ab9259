from pathlib import Path

from fastapi import FastAPI
from streamlit.starlette import App as StreamlitApp

from prefix import StripPrefix

fastapi_app = FastAPI(title="User management")


@fastapi_app.get("/api/users")
def users() -> list[dict]:
    return [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Linus"}]


_repo_root = Path(__file__).resolve().parent
_st = StreamlitApp(_repo_root / "user_app.py")
fastapi_app.mount("/app", StripPrefix(_st, prefix="/app"))
