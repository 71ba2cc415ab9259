import json
import queue

inbox: "queue.Queue[bytes]" = queue.Queue()
events: list[dict] = []


def consume_forever() -> None:
    while True:
        raw = inbox.get()
        events.append(json.loads(raw))
        del events[:-500]
