"""Slow readers for tests and benchmarks: settings that make queues overflow soon, and a stream that never reads."""

from __future__ import annotations

import socket

SLOW_ENV = {
    "PULSEBOARD_STREAM_QUEUE_FRAMES": "4",
    "PULSEBOARD_FRAME_RATE": "20",
    "PULSEBOARD_ANIMATION_MS": "0",
    "PULSEBOARD_WINDOW_POINTS": "100000",
    "PULSEBOARD_REPLAY_MAX_POINTS": "1000000",
}


def stalled_stream(port: int) -> socket.socket:
    """Open a stream that reads nothing, with a small receive window so the server feels it soon."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /api/stream HTTP/1.1\r\nHost: pb\r\nAccept: text/event-stream\r\n\r\n")
    return sock
