"""The shared resource of the core_lifespan_lifecycle pattern: a stand-in for an ML model.

It lives in its own module (not in app.py) because BOTH the ASGI side (app.py) and the Streamlit script
(ui.py) import it, and the script must never import app.py (see explanation.md, "What breaks").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import streamlit as st


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class SentimentModel:
    """Pretend model: a word -> score table. A real one would hold weights, a session or a pool."""

    version: str
    weights: dict[str, int]
    loaded_at: str = field(default_factory=_now)
    closed: bool = False

    def predict(self, text: str) -> dict[str, object]:
        if self.closed:
            raise RuntimeError("model is closed")
        score = sum(self.weights.get(word, 0) for word in text.lower().split())
        label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
        return {"label": label, "score": score}

    def close(self) -> None:
        """Release what the model holds (file handles, GPU memory, connections...)."""
        self.closed = True


# st.cache_resource is process-wide and keyed by module + function name + source, NOT by module object:
# the script gets this same instance even after Streamlit's file watcher has re-imported this module.
@st.cache_resource(show_spinner=False)
def load_model() -> SentimentModel:
    time.sleep(0.3)  # pretend the weights take a while to load: that is why we load them at start-up
    return SentimentModel(
        version="sentiment-demo-1",
        weights={"good": 1, "great": 2, "fast": 1, "love": 2, "bad": -1, "slow": -1, "awful": -2, "hate": -2},
    )
