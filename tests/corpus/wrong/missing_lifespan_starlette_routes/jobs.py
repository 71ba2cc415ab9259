import functools
import uuid


class JobQueue:
    def __init__(self) -> None:
        self.pending: dict[str, str] = {}

    def submit(self, text: str) -> str:
        job_id = uuid.uuid4().hex
        self.pending[job_id] = text
        return job_id

    def close(self) -> None:
        self.pending.clear()


@functools.lru_cache(maxsize=1)
def default_jobs() -> JobQueue:
    return JobQueue()
