"""Tracing set-up of the observability_otel pattern: a TracerProvider whose spans stay in this process.

A real deployment adds an exporter that ships spans out (OTLP to a collector, behind a BatchSpanProcessor);
this demo keeps the most recent ones in memory so a debug route can show them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import format_span_id, format_trace_id


class RecentSpanExporter(SpanExporter):
    """Keeps the last `maxlen` finished spans. Like the SDK's InMemorySpanExporter, but bounded.

    InMemorySpanExporter (made for tests) keeps every span forever: on a server that grows without limit.
    """

    def __init__(self, maxlen: int = 500) -> None:
        self._spans: deque[ReadableSpan] = deque(maxlen=maxlen)
        self._lock = threading.Lock()  # spans end on the event loop and in worker threads

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            self._spans.extend(spans)
        return SpanExportResult.SUCCESS

    def recent(self) -> list[ReadableSpan]:
        with self._lock:
            return list(self._spans)

    def shutdown(self) -> None:
        with self._lock:
            self._spans.clear()


def span_as_dict(span: ReadableSpan) -> dict[str, Any]:
    """JSON-ready view of one span: ids as the usual hex strings, attribute tuples as lists."""
    ctx = span.get_span_context()
    duration = (span.end_time - span.start_time) / 1e6 if span.end_time and span.start_time else None
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format_trace_id(ctx.trace_id) if ctx else None,
        "span_id": format_span_id(ctx.span_id) if ctx else None,
        "parent_id": format_span_id(span.parent.span_id) if span.parent else None,
        "duration_ms": None if duration is None else round(duration, 3),
        "status": span.status.status_code.name,
        "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()},
    }


EXPORTER = RecentSpanExporter()
# SimpleSpanProcessor exports each span as it ends (instantly visible, fine in memory). With a network
# exporter use BatchSpanProcessor: a synchronous export per span would block the event loop.
PROVIDER = TracerProvider(resource=Resource.create({"service.name": "streamlit-otel-demo"}))
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))
