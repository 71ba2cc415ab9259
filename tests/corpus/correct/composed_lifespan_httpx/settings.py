import os

UPSTREAM_URL = os.environ.get("QUOTES_UPSTREAM", "https://quotes.internal.example")
UPSTREAM_TIMEOUT = float(os.environ.get("QUOTES_TIMEOUT", "10"))
