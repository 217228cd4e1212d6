"""A small SSE reader for tests: bytes in, events out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


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


def patched_values(event: Event, series: str) -> list[float]:
    """Return the y values a frame appends (or assigns) to a series' graph."""
    patch = event.json()["patches"].get(series)
    if patch is None:
        return []
    values: list[float] = []
    for op in patch["operations"]:
        if op["location"] == ["data", 0, "y"] and op["operation"] in ("Extend", "Assign"):
            values = values + op["params"]["value"] if op["operation"] == "Extend" else op["params"]["value"]
    return values
