"""Open Streamlit's websocket (``_stcore/stream``), ask for a script run and watch it finish.

This is the only proof that the UI works end to end: the page HTML and the health endpoint can both
answer while the websocket is refused or the script crashes. The two protobuf messages involved are
tiny, so they are encoded and decoded here by hand (field numbers from Streamlit's ``BackMsg`` and
``ForwardMsg``) instead of importing Streamlit into every client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

# BackMsg{rerun_script: ClientState{}}: field 11, length-delimited, empty.
RERUN_SCRIPT = bytes([(11 << 3) | 2, 0])
_SCRIPT_FINISHED_FIELD = 6
_DELTA_FIELD, _NEW_ELEMENT_FIELD, _EXCEPTION_FIELD = 5, 3, 8  # ForwardMsg.delta.new_element.exception
_EXC_TYPE, _EXC_MESSAGE, _EXC_IS_WARNING = 1, 2, 5
_FINISHED_SUCCESSFULLY = 0
_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_KEEP_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class StreamOutcome:
    """What happened on the socket: the script ran to completion, the socket was refused, or it failed."""

    status: Literal["ran", "accepted", "refused", "failed"]
    detail: str
    marker_seen: bool = False
    exceptions: tuple[str, ...] = ()  # "KeyError: 'model'" for each exception the page showed
    missing: tuple[str, ...] = field(default=())  # texts asked for that the run never rendered
    received: bytes = b""  # the messages received (the first _KEEP_BYTES), for captures
    handshake: int | None = None  # the handshake's HTTP status: 101 when accepted, e.g. 403 when refused


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(message: bytes) -> Iterator[tuple[int, int | bytes]]:
    """``(field number, value)`` of one protobuf message: ints for varints, bytes for length-delimited fields."""
    pos = 0
    try:
        while pos < len(message):
            key, pos = _varint(message, pos)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = _varint(message, pos)
                yield number, value
            elif wire == 2:
                length, pos = _varint(message, pos)
                yield number, message[pos : pos + length]
                pos += length
            elif wire in (1, 5):
                pos += 8 if wire == 1 else 4
            else:
                return
    except IndexError:
        return


def _first(message: bytes, number: int) -> int | bytes | None:
    return next((value for field_number, value in _fields(message) if field_number == number), None)


def script_finished_code(message: bytes) -> int | None:
    """The ``script_finished`` status of a ForwardMsg, or None when the message is something else."""
    value = _first(message, _SCRIPT_FINISHED_FIELD)
    return value if isinstance(value, int) else None


def shown_exception(message: bytes) -> str | None:
    """``"Type: message"`` when a ForwardMsg puts an exception on the page (not a deprecation-style warning).

    An uncaught exception in the script still ends in a successful ``script_finished``: Streamlit catches it and
    shows it as an element, so this is how a probe tells a script that ran from one that crashed.
    """
    delta = _first(message, _DELTA_FIELD)
    element = _first(delta, _NEW_ELEMENT_FIELD) if isinstance(delta, bytes) else None
    exc = _first(element, _EXCEPTION_FIELD) if isinstance(element, bytes) else None
    if not isinstance(exc, bytes):
        return None
    parts = dict(_fields(exc))
    if parts.get(_EXC_IS_WARNING):
        return None
    kind, text = parts.get(_EXC_TYPE, b""), parts.get(_EXC_MESSAGE, b"")
    kind = kind.decode("utf-8", "replace") if isinstance(kind, bytes) else "Exception"
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else ""
    return f"{kind}: {text[:200]}" if text else kind


def _streamlit_subprotocols(headers: dict[str, str]) -> list[str]:
    """What Streamlit's frontend offers: "streamlit", then the _streamlit_xsrf cookie's value when it has one
    (Streamlit reads st.user's identity cookie only from a socket carrying that token)."""
    cookies = dict(part.strip().split("=", 1) for part in headers.get("Cookie", "").split(";") if "=" in part)
    token = cookies.get("_streamlit_xsrf")
    return ["streamlit", token] if token else ["streamlit"]


async def run_script(
    url: str,
    marker: str | None,
    *,
    contains: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    timeout: float = 15.0,
) -> StreamOutcome:
    """Connect to ``url`` (``ws://.../_stcore/stream``), request a rerun, wait for ``script_finished``.

    Example::

        outcome = await run_script("ws://127.0.0.1:8501/_stcore/stream", "hello")
        assert outcome.status == "ran" and outcome.marker_seen
    """
    needle = marker.encode() if marker else b""
    wanted = {text: text.encode("utf-8") for text in contains}
    try:
        async with asyncio.timeout(timeout):
            async with connect(
                url,
                additional_headers=headers or {},
                subprotocols=_streamlit_subprotocols(headers or {}),  # type: ignore[arg-type]
                local_addr=(source_ip, 0),
                max_size=_MAX_MESSAGE_BYTES,
                open_timeout=timeout,
            ) as ws:
                await ws.send(RERUN_SCRIPT)
                seen = not needle
                exceptions: list[str] = []
                kept = bytearray()
                async for raw in ws:
                    if isinstance(raw, str):
                        continue
                    if len(kept) < _KEEP_BYTES:
                        kept += raw[: _KEEP_BYTES - len(kept)]
                    if needle and needle in raw:
                        seen = True
                    for text in [t for t, data in wanted.items() if data in raw]:
                        del wanted[text]
                    shown = shown_exception(raw)
                    if shown:
                        exceptions.append(shown)
                    code = script_finished_code(raw)
                    if code is None:
                        continue
                    return replace(
                        _finished(code, marker, seen, tuple(exceptions), tuple(wanted)), received=bytes(kept)
                    )
                return StreamOutcome("refused", f"socket closed before the script finished (code {ws.close_code})")
    except InvalidStatus as exc:
        code = exc.response.status_code
        return StreamOutcome("refused", f"handshake refused with HTTP {code}", handshake=code)
    except ConnectionClosed as exc:
        return StreamOutcome("refused", f"socket closed (code {exc.rcvd.code if exc.rcvd else 'none'})", handshake=101)
    except InvalidHandshake as exc:
        return StreamOutcome("refused", f"handshake failed: {exc}")
    except TimeoutError:
        return StreamOutcome("failed", f"no script_finished within {timeout:.0f} s")
    except OSError as exc:
        return StreamOutcome("failed", f"could not connect: {exc}")


def _finished(
    code: int, marker: str | None, seen: bool, exceptions: tuple[str, ...], missing: tuple[str, ...]
) -> StreamOutcome:
    """Judge a finished run: completed, wrote its marker, raised nothing, rendered every text asked for."""
    if code != _FINISHED_SUCCESSFULLY:
        return StreamOutcome("failed", f"script finished with status {code}", seen, exceptions, missing)
    if exceptions:
        detail = f"script raised {exceptions[0]}" + (f" (+{len(exceptions) - 1} more)" if len(exceptions) > 1 else "")
        return StreamOutcome("failed", detail, seen, exceptions, missing)
    if not seen:
        return StreamOutcome("failed", f"script finished but never wrote {marker!r}", False, exceptions, missing)
    if missing:
        return StreamOutcome("failed", f"script ran but never rendered {missing[0]!r}", True, exceptions, missing)
    return StreamOutcome("ran", "script ran to completion and wrote its marker", True)


async def run_socket(
    url: str,
    *,
    send: Sequence[str] = (),
    contains: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    timeout: float = 15.0,
) -> StreamOutcome:
    """Open a websocket of the app's own (not Streamlit's), send ``send``, read until every ``contains`` text came.

    ``accepted`` when the handshake succeeded and every text arrived; ``refused`` when the handshake was refused
    or the socket closed before they did; ``failed`` on a timeout with texts still missing.

    Example::

        outcome = await run_socket("ws://127.0.0.1:8501/ws/ticks", send=["subscribe"], contains=["tick"])
    """
    wanted = list(contains)
    kept = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async with connect(
                url,
                additional_headers=headers or {},
                local_addr=(source_ip, 0),
                max_size=_MAX_MESSAGE_BYTES,
                open_timeout=timeout,
            ) as ws:
                for text in send:
                    await ws.send(text)
                while wanted:
                    raw = await ws.recv()
                    data = raw.encode("utf-8") if isinstance(raw, str) else raw
                    if len(kept) < _KEEP_BYTES:
                        kept += data[: _KEEP_BYTES - len(kept)]
                    wanted = [text for text in wanted if text.encode("utf-8") not in kept]
                return StreamOutcome("accepted", "accepted" + (", every text received" if contains else ""),
                                     received=bytes(kept), handshake=101)  # fmt: skip
    except InvalidStatus as exc:
        code = exc.response.status_code
        return StreamOutcome("refused", f"handshake refused with HTTP {code}", handshake=code)
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else "none"
        missing = f", before {wanted[0]!r} arrived" if wanted else ""
        return StreamOutcome(
            "refused", f"accepted, then closed (code {code}){missing}", received=bytes(kept), handshake=101
        )
    except InvalidHandshake as exc:
        return StreamOutcome("refused", f"handshake failed: {exc}")
    except TimeoutError:
        return StreamOutcome("failed", f"{wanted[0]!r} not received within {timeout:.0f} s", received=bytes(kept))
    except OSError as exc:
        return StreamOutcome("failed", f"could not connect: {exc}")
