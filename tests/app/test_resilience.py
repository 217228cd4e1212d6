"""Nothing pushed by any path can stop the frames; a background task that fails restarts (issue 12)."""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client

from live import get_live, metrics
from live.framer import Framer
from live.model import InvalidInput
from tests.app.test_stream import next_of, post, stream
from tests.support.waiting import eventually

BIGGEST = 1.7976931348623157e308


async def test_the_largest_double_does_not_stop_the_frames(client: Client) -> None:
    """1.7976931348623157e308, then -1e308 and 1e308: every frame still goes out, and points after them too.

    The y range overflowed to infinity, the framer died without a log line and every screen
    froze while /readyz said "ok" (issue 12, defect 1).
    """
    async with stream(client) as (_, _, reader):
        await next_of(reader, "reset")
        await post(client, {"series": "host.cpu", "value": BIGGEST})
        assert (await next_of(reader, "frame")).values("host.cpu") == [BIGGEST]
        await post(client, {"series": "host.cpu", "value": -1e308}, {"series": "host.cpu", "value": 1e308})
        assert (await next_of(reader, "frame")).values("host.cpu") == [-1e308, 1e308]
        answer = await post(client, {"series": "host.cpu", "value": 1.0})
        frame = await next_of(reader, "frame")
        assert (frame.id, frame.values("host.cpu")) == (str(answer["last_id"]), [1.0])
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert (await ready.get_json())["framed_id"] == answer["last_id"]


async def test_a_page_loads_with_the_largest_doubles_in_its_window(app: Dash, client: Client) -> None:
    """The page's load callback draws a window holding ±1.79e308 (it answered 500 with OverflowError)."""
    await post(client, {"series": "x", "value": BIGGEST}, {"series": "x", "value": -BIGGEST})
    async with app.server.app_context():
        live = get_live()
        await eventually(lambda: live.framer.last >= 2, what="both points framed")
    response = await client.post(
        "/_dash-update-component",
        json={
            "output": "..pb-graphs.children...pb-graphs.style...pb-cursor.data...pb-title.children..",
            "outputs": [
                {"id": "pb-graphs", "property": "children"},
                {"id": "pb-graphs", "property": "style"},
                {"id": "pb-cursor", "property": "data"},
                {"id": "pb-title", "property": "children"},
            ],
            "inputs": [
                {"id": "pb-theme-init", "property": "data", "value": "dark"},
                {"id": "pb-rebuild", "property": "data", "value": None},
            ],
            "changedPropIds": ["pb-theme-init.data"],
            "state": [
                {"id": "pb-theme", "property": "value", "value": None},
                {"id": "pb-page", "property": "data", "value": {"dashboard": None}},
            ],
        },
    )
    assert response.status_code == 200, await response.get_data()
    body = await response.get_json()
    # The page makes the figure from these (its ranges, finite, in tests/fixtures/updates.json's
    # "largest doubles" rows, the same in Python and in the page).
    panel = body["response"]["pb-cursor"]["data"]["panels"][0]
    assert panel["data"][0]["y"] == [BIGGEST, -BIGGEST]
    assert panel["extents"][0][1] == [-BIGGEST, BIGGEST]


async def test_python_callers_hand_numpy_decimal_and_datetime_values(app: Dash, client: Client) -> None:
    """Live.push and Live.ingest take what pandas and numpy hand out, as the numbers they stand for."""
    async with stream(client) as (_, _, reader):
        await next_of(reader, "reset")
        async with app.server.app_context():
            live = get_live()
            stamp = datetime.now(UTC)
            await live.push("py", np.int64(7), ts=stamp)
            await live.ingest([{"series": "py", "value": Decimal("2.5")}, {"series": "py", "value": np.float64(3.5)}])
        values: list[float] = []
        while len(values) < 3:
            values += (await next_of(reader, "frame")).values("py")
        assert values == [7.0, 2.5, 3.5]


@pytest.mark.parametrize(
    ("value", "words"),
    [(math.inf, "finite"), ("12", "must be a number"), (None, "must be a number"), (True, "must be a number")],
)
async def test_python_callers_get_the_same_named_errors(app: Dash, client: Client, value: Any, words: str) -> None:
    """A bad value from Python is refused as from HTTP: InvalidInput naming the field, nothing stored."""
    async with app.server.app_context():
        live = get_live()
        with pytest.raises(InvalidInput, match=words) as refused:
            await live.ingest([{"series": "ok", "value": 1.0}, {"series": "bad", "value": value}])
        assert (refused.value.row, refused.value.field) == (1, "value")
        assert await live.store.last_id() == 0


async def test_labels_are_part_of_a_series_identity(client: Client) -> None:
    """cpu{host=a} and cpu{host=b} are two traces, each with its own points (they landed on one line)."""
    async with stream(client) as (_, _, reader):
        await next_of(reader, "reset")
        await post(
            client,
            {"series": "cpu", "value": 1, "labels": {"host": "a"}},
            {"series": "cpu", "value": 2, "labels": {"host": "b"}},
        )
        frame = await next_of(reader, "frame")
        assert frame.values('cpu{"host":"a"}') == [1]
        assert frame.values('cpu{"host":"b"}') == [2]
        assert frame.json()["new"]['cpu{"host":"b"}'] == {"name": "cpu", "labels": {"host": "b"}}


async def test_a_framer_that_raises_is_logged_restarted_and_leaves_no_gap(
    app: Dash, client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The framer raises once mid-stream: /readyz names it while it is down; the stream carries on, each point once."""
    original = Framer._frame
    failed = asyncio.Event()

    async def fail_once(self: Framer, commits: list) -> None:
        if commits and not failed.is_set():
            failed.set()
            raise RuntimeError("injected framer failure")
        await original(self, commits)

    monkeypatch.setattr(Framer, "_frame", fail_once)
    async with app.server.app_context():
        supervisor = get_live().supervisor
    supervisor.restart_delay = 1.0  # down long enough for the test to see it
    before = metrics.TASK_RESTARTS.labels("framer")._value.get()
    with caplog.at_level(logging.ERROR, logger="live.supervisor"):
        async with stream(client) as (_, _, reader):
            await next_of(reader, "reset")
            await post(client, {"series": "a", "value": 0})
            await asyncio.wait_for(failed.wait(), 10)
            await eventually(lambda: "framer" in supervisor.down, what="the framer shown as down")
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert "framer" in (await ready.get_json())["error"]
            await post(client, {"series": "a", "value": 1})
            values: list[float] = []
            while len(values) < 2:
                values += (await next_of(reader, "frame")).values("a")
            assert values == [0, 1]
    assert metrics.TASK_RESTARTS.labels("framer")._value.get() == before + 1
    assert any("injected framer failure" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert (await client.get("/readyz")).status_code == 200
