import os

PIPE = os.environ.get("DASHBOARD_PIPE", "/tmp/dashboard.pipe")


def start_receiver(messages: list[str]) -> None:
    while True:
        with open(PIPE, encoding="utf-8") as pipe:
            for line in pipe:
                messages.append(line.rstrip("\n"))
