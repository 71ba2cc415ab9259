import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse


def _extract_text(data: bytes) -> str:
    import pytesseract
    from PIL import Image
    import io

    return pytesseract.image_to_string(Image.open(io.BytesIO(data)))


async def ocr_endpoint(request: Request) -> JSONResponse:
    form = await request.form()
    upload = form["file"]
    text = await anyio.to_thread.run_sync(_extract_text, await upload.read())
    return JSONResponse({"text": text})
