"""The Streamlit page of the multi_worker_sticky pattern: an image that exists only in this worker's memory."""

import os
import struct
import zlib

import streamlit as st

WORKER_ID = os.environ.get("WORKER_ID", "w1")


@st.cache_data
def worker_badge(worker: str) -> bytes:
    """A 32x8 PNG whose colour depends on the worker, so each worker's media file has its own id."""
    seed = zlib.crc32(worker.encode())
    pixel = bytes([seed & 0xFF, (seed >> 8) & 0xFF, (seed >> 16) & 0xFF])
    raw = b"".join(b"\x00" + pixel * 32 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 32, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


st.title("Several workers behind nginx, sticky sessions")
st.caption("st-patterns:multi_worker_sticky")  # marker the probes look for: the script really ran
st.write(f"session served by worker {WORKER_ID} (pid {os.getpid()})")
# st.image stores the bytes in THIS process's media store and sends the browser a /media/<id>.png URL:
# only this worker can answer it, which is why the browser must stay here.
st.image(worker_badge(WORKER_ID), caption=f"badge of worker {WORKER_ID}", output_format="PNG")
