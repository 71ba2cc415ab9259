import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger("deploy")


def report_script_error(exc: Exception) -> bool:
    """Log the script error and let Streamlit show its usual error box (return False)."""
    log.exception("script error", exc_info=exc)
    return False


async def not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"no route for {request.url.path}"}, status_code=404)
