"""Dashboard backend: a named-pipe receiver thread plus an asyncio scheduler."""

import asyncio
import threading

from receiver import start_receiver


class DashboardService:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.scheduler_task: asyncio.Task | None = None

    async def start(self) -> None:
        self.receiver_thread = threading.Thread(target=start_receiver, args=(self.messages,))
        self.receiver_thread.start()
        self.scheduler_task = asyncio.create_task(self.tick())

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(5)

    async def stop(self) -> None:
        if self.scheduler_task is not None:
            self.scheduler_task.cancel()


service = DashboardService()
