"""Two background threads: a queue consumer and a metrics flusher."""

import queue
import threading
import time

jobs: "queue.Queue[dict]" = queue.Queue()
stop = threading.Event()
processed: list[dict] = []


def consume() -> None:
    while not stop.is_set():
        try:
            job = jobs.get(timeout=0.5)
        except queue.Empty:
            continue
        processed.append({**job, "done_at": time.time()})
        jobs.task_done()


def flush_metrics() -> None:
    while not stop.wait(10):
        print(f"processed={len(processed)} pending={jobs.qsize()}")
