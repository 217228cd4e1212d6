"""The SSE wire format, byte for byte."""

from __future__ import annotations

import pytest

from live.sse import ServerSentEvent


@pytest.mark.parametrize(
    ("event", "wire"),
    [
        (ServerSentEvent(data="x"), b"data: x\n\n"),
        (ServerSentEvent(data=""), b"data: \n\n"),
        (ServerSentEvent(data="a\nb"), b"data: a\ndata: b\n\n"),
        (ServerSentEvent(data="a\r\nb\rc"), b"data: a\ndata: b\ndata: c\n\n"),
        (ServerSentEvent(data="{}", event="frame", id="42"), b"id: 42\nevent: frame\ndata: {}\n\n"),
        (ServerSentEvent(comment="ping"), b": ping\n\n"),
        (ServerSentEvent(comment="hi", retry=1000), b": hi\nretry: 1000\n\n"),
        (ServerSentEvent(data="é"), "data: é\n\n".encode()),
    ],
)
def test_encode(event: ServerSentEvent, wire: bytes) -> None:
    """Each field is one line, data splits on every line break, a blank line ends the event."""
    assert event.encode() == wire


@pytest.mark.parametrize("field", ["id", "event"])
def test_line_break_in_single_line_field_is_refused(field: str) -> None:
    """An id or event name with a line break would forge a second field."""
    with pytest.raises(ValueError, match=field):
        ServerSentEvent(data="x", **{field: "1\ndata: forged"})
