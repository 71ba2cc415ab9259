import asyncio


class Pool:
    def __init__(self) -> None:
        self.cache: dict[str, str] = {}


async def open_pool() -> Pool:
    await asyncio.sleep(0)
    return Pool()


async def warm_cache(pool: Pool) -> None:
    pool.cache["greeting"] = "hello"


async def close_pool(pool: Pool) -> None:
    pool.cache.clear()
