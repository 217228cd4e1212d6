"""SSE clients for tests: an event parser, raw sockets (to stall, or to see how a response ends); Screen re-exported."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.screen import Screen as Screen  # the one screen model; its users import it from here too


@dataclass
class Event:
    """One parsed server-sent event."""

    event: str = "message"
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)

    def values(self, series: str) -> list[float]:
        """Return the y values a frame appends (or assigns) to a series' trace, by series key ("cpu{...}")."""
        if self.event != "frame":
            return []
        update = self.json()["updates"].get(series)
        return list(update["y"]) if update else []


def parse_block(block: str) -> Event:
    """Parse one event block (the text between blank lines)."""
    event, data = Event(), []
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "":
            event.comments.append(value)
        elif name == "data":
            data.append(value)
        elif name == "event":
            event.event = value
        elif name == "id":
            event.id = value
        elif name == "retry":
            event.retry = int(value)
    event.data = "\n".join(data)
    return event


async def events(receive: Callable[[], Awaitable[bytes]]) -> AsyncIterator[Event]:
    """Yield events as the chunks that make them arrive."""
    buffer = ""
    while True:
        buffer += (await receive()).decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            yield parse_block(block)


def open_stream(port: int, path: str = "/api/stream", headers: dict[str, str] | None = None) -> socket.socket:
    """Connect and send a stream request; read nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n{extra}\r\n"
    sock.sendall(request.encode())
    return sock


def read_to_end(sock: socket.socket, timeout: float = 10.0) -> tuple[bytes, str]:
    """Read until the server closes; return what came and how it ended: 'eof' or 'reset'."""
    sock.settimeout(timeout)
    data = bytearray()
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        return bytes(data), "reset"
    return bytes(data), "eof"


def read_until_id(url: str, last_id: str, headers: dict[str, str] | None = None, timeout: float = 30) -> bytes:
    """Open a stream with httpx and return its body up to and including the event with id `last_id`."""
    marker = f"id: {last_id}\n".encode()
    body = bytearray()
    headers = {"Accept": "text/event-stream", **(headers or {})}
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
        assert response.status_code == 200, response.status_code
        found = -1
        for chunk in response.iter_bytes():
            start = max(0, len(body) - len(marker))
            body += chunk
            if found < 0:
                found = body.find(marker, start)
            if found >= 0 and body.find(b"\n\n", max(found, start)) >= 0:
                return bytes(body)
    raise AssertionError(f"the stream ended before event {last_id}")


def dechunk(raw: bytes) -> tuple[int, bytes, bool]:
    """Split an HTTP/1.1 response into status, de-chunked body, and whether the last chunk came."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    body = bytearray()
    while rest:
        size_line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return status, bytes(body), rest.startswith(b"\r\n")
        if len(rest) < size + 2:
            body += rest[:size]  # a chunk cut short
            break
        body += rest[:size]
        rest = rest[size + 2 :]
    return status, bytes(body), False


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """Return the complete events in an SSE body: {'event', 'id', 'data'} (comments skipped)."""
    blocks = body.decode("utf-8").replace("\r\n", "\n").split("\n\n")[:-1]
    parsed = [parse_block(block) for block in blocks if "\ndata:" in f"\n{block}"]
    return [{"event": event.event, "id": event.id, "data": event.data} for event in parsed]
