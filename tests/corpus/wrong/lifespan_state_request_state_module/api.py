from starlette.requests import Request
from starlette.responses import JSONResponse


def count_tokens(request: Request) -> JSONResponse:
    text = request.query_params.get("text", "")
    tokenizer = request.state.tokenizer
    return JSONResponse({"tokens": len(tokenizer.encode(text))})
