from fastapi import APIRouter, FastAPI

router = APIRouter(prefix="/api/v1")


@router.get("/health")
async def health() -> dict:
    return {"status": "ok"}


def configure_app(app: FastAPI) -> None:
    if not any(getattr(r, "path", "") == "/api/v1/health" for r in app.router.routes):
        app.include_router(router)
