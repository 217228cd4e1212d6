"""GET /api/stream through the app: headers, frames, resume, heartbeat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from quart.typing import TestClientProtocol as Client

from app import create_app
from tests.support.sse import Event, events
from tests.support.waiting import eventually

ACCEPT = {"Accept": "text/event-stream"}


@asynccontextmanager
async def stream(client: Client, headers: dict[str, str] | None = None, query: str = "") -> AsyncIterator[Any]:
    """Open a stream; yield (response headers, event iterator)."""
    async with client.request(f"/api/stream{query}", headers={**ACCEPT, **(headers or {})}) as connection:
        await connection.send_complete()
        reader = events(connection.receive)
        first = await asyncio.wait_for(anext(reader), 10)
        yield connection, first, reader
        await connection.disconnect()


async def next_of(reader: AsyncIterator[Event], kind: str) -> Event:
    """Return the next event of this kind, with a deadline."""

    async def find() -> Event:
        async for event in reader:
            if event.event == kind:
                return event
        raise AssertionError("stream ended")

    return await asyncio.wait_for(find(), 10)


async def post(client: Client, *points: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/points", json=list(points))
    assert response.status_code == 200, await response.get_data()
    return await response.get_json()


async def framed(client: Client, last_id: int) -> None:
    """Wait, with a deadline, until the framer has framed up to `last_id` (it frames in its own task)."""

    async def caught_up() -> bool:
        return (await (await client.get("/readyz")).get_json())["framed_id"] >= last_id

    await eventually(caught_up, what=f"event {last_id} framed")


async def test_stream_headers_and_retry(client: Client) -> None:
    """SSE headers that keep caches and proxies out of the way; a retry hint first."""
    async with stream(client) as (connection, first, _):
        headers = connection.headers
        assert headers["Content-Type"].startswith("text/event-stream")
        assert "no-cache" in headers["Cache-Control"]
        assert headers["X-Accel-Buffering"] == "no"
        assert first.retry == 1000


async def test_refuses_clients_that_do_not_take_event_streams(client: Client) -> None:
    """A client that cannot read SSE gets 406, not a stream it would hang on."""
    response = await client.get("/api/stream", headers={"Accept": "application/json"})
    assert response.status_code == 406


async def test_head_answers_as_the_stream_would_without_opening_one(app: Any, client: Client) -> None:
    """HEAD (the page's probe after a failed stream) gets the stream's status and headers, and no stream is opened."""
    response = await asyncio.wait_for(client.head("/api/stream", headers=ACCEPT), 5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert await response.get_data() == b""
    assert len(app.server.extensions["pulseboard"].streams) == 0
    missing = await asyncio.wait_for(client.head("/api/stream?dashboard=nowhere", headers=ACCEPT), 5)
    assert missing.status_code == 404


async def test_new_client_gets_windows_then_frames(client: Client) -> None:
    """No cursor: a reset with every window, then each new point as a frame with its id."""
    await framed(client, (await post(client, {"series": "a", "value": 1}))["last_id"])
    async with stream(client) as (_, _, reader):
        reset = await next_of(reader, "reset")
        assert reset.id == "1"
        assert reset.json()["traces"]["a"]["y"] == [1]
        answer = await post(client, {"series": "a", "value": 2}, {"series": "b", "value": 3})
        frame = await next_of(reader, "frame")
        assert frame.id == str(answer["last_id"])
        assert frame.values("a") == [2]
        assert frame.values("b") == [3]
        assert list(frame.json()["new"]) == ["b"]


async def test_resume_replays_only_what_was_missed(client: Client) -> None:
    """Last-Event-ID brings back exactly the points after it, as a frame, then live ones."""
    for value in range(5):
        answer = await post(client, {"series": "a", "value": value})
    await framed(client, answer["last_id"])  # the framer frames in its own task
    async with stream(client, {"Last-Event-ID": "2"}) as (_, _, reader):
        catch_up = await next_of(reader, "frame")
        assert (catch_up.id, catch_up.values("a")) == ("5", [2, 3, 4])
        await post(client, {"series": "a", "value": 5})
        live = await next_of(reader, "frame")
        assert (live.id, live.values("a")) == ("6", [5])


async def test_cursor_from_another_database_gets_a_reset(client: Client) -> None:
    """An id that means nothing here is not replayed from: the screen is rebuilt."""
    await framed(client, (await post(client, {"series": "a", "value": 1}))["last_id"])
    async with stream(client, {"Last-Event-ID": "1"}, query="?db=not-this-one") as (_, _, reader):
        assert (await next_of(reader, "reset")).json()["traces"]["a"]["y"] == [1]


async def test_every_viewer_gets_the_same_frame(client: Client) -> None:
    """Two viewers of the same graphs are sent the same bytes."""
    async with stream(client) as (_, _, first), stream(client) as (_, _, second):
        await post(client, {"series": "a", "value": 1})
        assert (await next_of(first, "frame")) == (await next_of(second, "frame"))


async def test_heartbeat_keeps_an_idle_stream_open_past_the_response_timeout(settings: dict[str, Any]) -> None:
    """Comments arrive while nothing happens, and Quart's response timeout does not cut the stream."""
    dash_app = create_app({**settings, "HEARTBEAT_SECONDS": 0.2})
    dash_app.server.config["RESPONSE_TIMEOUT"] = 0.5
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        async with stream(client) as (_, _, reader):
            await next_of(reader, "reset")
            pings = 0
            async for event in reader:  # five pings span 1 s, twice the response timeout
                pings += event.comments == ["ping"]
                if pings == 5:
                    break
            answer = await post(client, {"series": "a", "value": 1})
            assert (await next_of(reader, "frame")).id == str(answer["last_id"])


async def test_points_within_a_frame_interval_share_one_frame(settings: dict[str, Any]) -> None:
    """After a frame, what arrives within the interval goes out together in the next one."""
    dash_app = create_app({**settings, "FRAME_RATE": 0.2, "ANIMATION_MS": 200})  # a frame per 5 s
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        async with stream(client) as (_, _, reader):
            await next_of(reader, "reset")
            await post(client, {"series": "a", "value": 0})
            assert (await next_of(reader, "frame")).values("a") == [0]
            for value in range(1, 5):
                await post(client, {"series": "a", "value": value})
            assert (await next_of(reader, "frame")).values("a") == [1, 2, 3, 4]


NOT_CURSORS = {
    "4301-digits": "9" * 4301,  # int() refuses it: was a 500
    "superscript": "²",  # str.isdigit() takes it, int() does not: was a 500
    "negative": "-1",
    "leading-space": " 0",  # " 0" and "0 " were taken as 0: a replay of everything
    "trailing-space": "0 ",
    "plus": "+0",
    "hex": "0x0",
    "underscore": "0_0",
    "empty": "",
    "20-digits": "9" * 20,
}


@pytest.mark.parametrize("cursor", NOT_CURSORS.values(), ids=NOT_CURSORS.keys())
@pytest.mark.parametrize("where", ["header", "query"])
async def test_a_cursor_that_is_not_a_plain_id_gets_a_reset(client: Client, cursor: str, where: str) -> None:
    """Anything but 1 to 19 ASCII digits is no cursor: the screen is rebuilt, never a 500."""
    await framed(client, (await post(client, {"series": "a", "value": 1}))["last_id"])
    headers, query = ({"Last-Event-ID": cursor}, "") if where == "header" else ({}, f"?{urlencode({'after': cursor})}")
    async with stream(client, headers, query) as (connection, _, reader):
        assert connection.status_code == 200
        assert (await next_of(reader, "reset")).json()["traces"]["a"]["y"] == [1]


async def test_the_largest_cursor_is_ahead_of_the_store_and_gets_a_reset(client: Client) -> None:
    """19 digits past any id stored (and past SQLite's integers) is a cursor from elsewhere: a reset."""
    await framed(client, (await post(client, {"series": "a", "value": 1}))["last_id"])
    async with stream(client, {"Last-Event-ID": "9" * 19}) as (_, _, reader):
        assert (await next_of(reader, "reset")).json()["traces"]["a"]["y"] == [1]
