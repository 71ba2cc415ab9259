"""A tiny deterministic price source shared by the websocket feed (app.py) and the Streamlit page (ui.py).

Prices are a pure function of the symbol and the time, so the feed and the page agree without shared state.
"""

from __future__ import annotations

import math
import time

SYMBOLS: dict[str, float] = {"ACME": 120.0, "GLOBEX": 48.5, "INITECH": 7.25}


def price(symbol: str, now: float | None = None) -> float:
    """The demo price of ``symbol`` at ``now`` (seconds since the epoch): a slow wave around its base."""
    base = SYMBOLS[symbol]
    t = time.time() if now is None else now
    phase = sum(map(ord, symbol))  # each symbol moves differently
    return round(base * (1 + 0.02 * math.sin(t / 7 + phase)), 2)
