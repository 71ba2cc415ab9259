"""Price feed polled in the background for as long as the server runs."""

import anyio
import httpx

FEED_URL = "https://prices.example/api/latest"


class PriceFeed:
    def __init__(self) -> None:
        self.latest: dict[str, float] = {}

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                reply = await client.get(FEED_URL)
                if reply.is_success:
                    self.latest = reply.json()
                await anyio.sleep(15)
