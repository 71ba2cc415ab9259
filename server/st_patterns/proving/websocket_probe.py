"""Open Streamlit's websocket (``_stcore/stream``), ask for a script run and watch it finish.

This is the only proof that the UI works end to end: the page HTML and the health endpoint can both
answer while the websocket is refused or the script crashes. The two protobuf messages involved are
tiny, so they are encoded and decoded here by hand (field numbers from Streamlit's ``BackMsg`` and
``ForwardMsg``) instead of importing Streamlit into every client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

# BackMsg{rerun_script: ClientState{}}: field 11, length-delimited, empty.
RERUN_SCRIPT = bytes([(11 << 3) | 2, 0])
_SCRIPT_FINISHED_FIELD = 6
_FINISHED_SUCCESSFULLY = 0
_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class StreamOutcome:
    """What happened on the socket: the script ran to completion, the socket was refused, or it failed."""

    status: Literal["ran", "refused", "failed"]
    detail: str
    marker_seen: bool = False


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def script_finished_code(message: bytes) -> int | None:
    """The ``script_finished`` status of a ForwardMsg, or None when the message is something else."""
    pos = 0
    try:
        while pos < len(message):
            key, pos = _varint(message, pos)
            field, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = _varint(message, pos)
                if field == _SCRIPT_FINISHED_FIELD:
                    return value
            elif wire == 2:
                length, pos = _varint(message, pos)
                pos += length
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            else:
                return None
    except IndexError:
        return None
    return None


async def run_script(
    url: str,
    marker: str | None,
    *,
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
    try:
        async with asyncio.timeout(timeout):
            async with connect(
                url,
                additional_headers=headers or {},
                subprotocols=["streamlit"],  # type: ignore[list-item]
                local_addr=(source_ip, 0),
                max_size=_MAX_MESSAGE_BYTES,
                open_timeout=timeout,
            ) as ws:
                await ws.send(RERUN_SCRIPT)
                seen = not needle
                async for raw in ws:
                    if isinstance(raw, str):
                        continue
                    if needle and needle in raw:
                        seen = True
                    code = script_finished_code(raw)
                    if code is None:
                        continue
                    if code != _FINISHED_SUCCESSFULLY:
                        return StreamOutcome("failed", f"script finished with status {code}", seen)
                    if not seen:
                        return StreamOutcome("failed", f"script finished but never wrote {marker!r}", False)
                    return StreamOutcome("ran", "script ran to completion and wrote its marker", True)
                return StreamOutcome("refused", f"socket closed before the script finished (code {ws.close_code})")
    except InvalidStatus as exc:
        return StreamOutcome("refused", f"handshake refused with HTTP {exc.response.status_code}")
    except ConnectionClosed as exc:
        return StreamOutcome("refused", f"socket closed (code {exc.rcvd.code if exc.rcvd else 'none'})")
    except InvalidHandshake as exc:
        return StreamOutcome("refused", f"handshake failed: {exc}")
    except TimeoutError:
        return StreamOutcome("failed", f"no script_finished within {timeout:.0f} s")
    except OSError as exc:
        return StreamOutcome("failed", f"could not connect: {exc}")
