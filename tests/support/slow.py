"""Slow readers for tests and benchmarks: settings that make queues overflow soon, a stream that never reads,
and the kernel memory such streams hold."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from dataclasses import dataclass

SLOW_ENV = {
    "PULSEBOARD_STREAM_QUEUE_FRAMES": "4",
    "PULSEBOARD_FRAME_RATE": "20",
    "PULSEBOARD_ANIMATION_MS": "0",
    "PULSEBOARD_WINDOW_POINTS": "100000",
    "PULSEBOARD_REPLAY_MAX_POINTS": "1000000",
}
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SKMEM = re.compile(r"skmem:\((?P<fields>[^)]*)\)")


def stalled_stream(port: int) -> socket.socket:
    """Open a stream that reads nothing, with a small receive window so the server feels it soon."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /api/stream HTTP/1.1\r\nHost: pb\r\nAccept: text/event-stream\r\n\r\n")
    return sock


def host_tcp_memory() -> int:
    """Return the bytes every TCP socket of the host holds in buffers ("TCP: ... mem N" pages in /proc/net/sockstat).

    Host-wide: whatever else runs on the machine counts too.
    """
    with open("/proc/net/sockstat") as sockstat:
        for line in sockstat:
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("mem") + 1]) * PAGE_BYTES
    raise AssertionError("no TCP line in /proc/net/sockstat")


@dataclass(frozen=True)
class SocketMemory:
    """One of the server's connections as `ss -m` shows it: its peer's port and its send buffer in bytes."""

    peer_port: int
    send_buffer: int  # the kernel's limit (SO_SNDBUF as the kernel keeps it, doubled, or autotuned)
    queued: int  # bytes the write queue holds now, kernel overhead included


def server_sockets(port: int) -> list[SocketMemory]:
    """Return the connections of whoever listens on `port`, orphans closing included, as the kernel holds them."""
    lines = subprocess.run(
        ["ss", "-tnmH", "state", "connected", "exclude", "time-wait", "sport", "=", f":{port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    found = []
    for head, memory in zip(lines[::2], lines[1::2], strict=True):
        fields = {}
        for field in SKMEM.search(memory)["fields"].split(","):
            name = field.rstrip("0123456789")
            fields[name] = int(field[len(name) :])
        peer = head.split()[-1]
        found.append(SocketMemory(int(peer.rsplit(":", 1)[1]), fields["tb"], fields["w"]))
    return found
