import asyncio
import logging

import httpx

log = logging.getLogger(__name__)
RATES: dict[str, float] = {}


async def refresh_rates_forever(interval: float = 300.0) -> None:
    async with httpx.AsyncClient(base_url="https://fx.example", timeout=10) as client:
        while True:
            try:
                reply = await client.get("/latest", params={"base": "EUR"})
                RATES.update(reply.json()["rates"])
            except httpx.HTTPError:
                log.warning("rate refresh failed; keeping previous rates")
            await asyncio.sleep(interval)
