import os

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse

API_KEY = os.environ.get("WEATHER_API_KEY", "")


async def forecast(request: Request) -> JSONResponse:
    city = request.query_params.get("city", "Lisbon")
    reply = requests.get("https://api.weather.example/v1/forecast", params={"q": city, "key": API_KEY}, timeout=10)
    if not reply.ok:
        return JSONResponse({"error": reply.text}, status_code=502)
    return JSONResponse(reply.json())
