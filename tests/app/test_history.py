"""GET /api/history and GET /api/export.csv through the app: answers, refusals naming the parameter, login."""

from __future__ import annotations

import base64
import csv
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client
from werkzeug.security import generate_password_hash

from app import create_app
from live import get_live
from live.model import Point

HOST_A = '{"host":"a"}'


async def store(dash_app: Dash, points: list[Point]) -> None:
    async with dash_app.server.app_context():
        await get_live().store.insert(points)


async def test_a_spike_of_one_point_among_100000_is_in_the_24h_answer(app: Dash, client: Client) -> None:
    """100,000 points over 24 h, one of them a spike and one a dip: both come back, within `points`."""
    now = time.time()
    ts = np.linspace(now - 86_000, now - 1, 100_000)
    values = np.sin(np.arange(100_000) / 300.0)
    values[43_210], values[77_777] = 25.0, -25.0
    await store(app, [Point("cpu", float(t), float(v)) for t, v in zip(ts, values, strict=True)])
    answer = await client.get("/api/history?series=cpu&from=now-24h&to=now&points=2000")
    assert answer.status_code == 200
    body = await answer.get_json()
    trace = body["series"]["cpu"]
    assert len(trace["x"]) <= 2000
    assert max(trace["y"]) == 25.0 and trace["x"][trace["y"].index(25.0)] == round(ts[43_210] * 1000)
    assert min(trace["y"]) == -25.0 and trace["x"][trace["y"].index(-25.0)] == round(ts[77_777] * 1000)
    assert trace["x"] == sorted(trace["x"])
    assert (trace["name"], trace["labels"]) == ("cpu", {})


async def test_each_series_says_its_first_point_in_the_range_and_its_last_at_its_end(
    app: Dash, client: Client
) -> None:
    """Downsampling keeps extremes, not the ends: `first` and `last` are the stored ones (a stat panel's value)."""
    now = time.time()
    ts = np.linspace(now - 3000, now - 1000, 5000)
    await store(app, [Point("cpu", float(t), float(i % 7)) for i, t in enumerate(ts)])
    body = await (await client.get(f"/api/history?series=cpu&from={now - 2500}&to={now - 1500}&points=10")).get_json()
    inside = [(t, i % 7) for i, t in enumerate(ts) if now - 2500 <= t <= now - 1500]
    trace = body["series"]["cpu"]
    assert trace["first"] == [round(inside[0][0] * 1000), inside[0][1]]
    assert trace["last"] == [round(inside[-1][0] * 1000), inside[-1][1]]
    body = await (await client.get(f"/api/history?series=cpu&from={now - 900}&to={now - 100}")).get_json()
    past = body["series"]["cpu"]  # no point in the range: the one in force at its end, from before it
    assert (past["x"], past["first"], past["last"]) == ([], None, [round(ts[-1] * 1000), 4999 % 7])


async def test_a_name_brings_each_label_set_and_a_key_one(app: Dash, client: Client) -> None:
    now = time.time()
    await store(app, [Point("cpu", now - 5, 1.0, HOST_A), Point("cpu", now - 4, 2.0), Point("mem", now - 3, 3.0)])
    body = await (await client.get("/api/history?series=cpu&from=now-1m")).get_json()
    assert sorted(body["series"]) == ["cpu", "cpu" + HOST_A]
    assert body["series"]["cpu" + HOST_A]["labels"] == {"host": "a"}
    query = {"series": "cpu" + HOST_A, "from": "now-1m"}
    body = await (await client.get("/api/history", query_string=query)).get_json()
    assert list(body["series"]) == ["cpu" + HOST_A] and body["series"]["cpu" + HOST_A]["y"] == [1.0]


@pytest.mark.parametrize("path", ["/api/history", "/api/export.csv"])
@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"series": "cpu", "from": "now", "to": "now-1h"}, 400, "from"),
        ({"series": "cpu", "from": "now-2d"}, 400, "from"),
        ({"series": "cpu", "from": "last tuesday"}, 400, "from"),
        ({"series": "cpu", "to": "2026-02-30T00:00:00Z"}, 400, "to"),
        ({"series": "disk"}, 404, "series"),
        ({}, 400, "series"),
        ({"series": [f"s{i}" for i in range(10_000)]}, 400, "series"),
    ],
)
async def test_bad_input_is_a_4xx_naming_the_parameter(
    app: Dash, client: Client, path: str, query: dict[str, Any], status: int, field: str
) -> None:
    await store(app, [Point("cpu", time.time() - 5, 1.0)])
    answer = await client.get(path, query_string=query)
    assert answer.status_code == status
    body = await answer.get_json()
    assert body["field"] == field and field in body["error"]


async def test_points_out_of_bounds_are_refused(app: Dash, client: Client) -> None:
    await store(app, [Point("cpu", time.time() - 5, 1.0)])
    answer = await client.get("/api/history?series=cpu&points=1000000")
    assert answer.status_code == 400 and (await answer.get_json())["field"] == "points"


async def test_export_is_raw_points_with_labels_as_columns(app: Dash, client: Client) -> None:
    """Every point in range, ISO 8601 UTC times, one column per label name, values that read back exactly."""
    now = round(time.time())
    sent = [Point("cpu", now - 10.25, 0.1, HOST_A), Point("cpu", now - 9.5, 1 / 3), Point("cpu", now - 8, 2.0, HOST_A)]
    await store(app, [*sent, Point("cpu", now - 4000, 5.0), Point("mem", now - 7, 9.0)])
    answer = await client.get("/api/export.csv?series=cpu&from=now-1h&to=now")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO((await answer.get_data()).decode())))
    assert list(rows[0]) == ["time", "series", "host", "value"]
    got = [(row["time"], row["host"], float(row["value"])) for row in rows]
    assert sorted(got) == sorted(
        (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(p.ts)) + f".{round(p.ts % 1 * 1e6):06d}Z",
         "a" if p.labels else "", p.value)
        for p in sent
    )


@pytest.fixture
async def guarded(settings: dict[str, Any]) -> AsyncIterator[Dash]:
    hashed = generate_password_hash("right", method="scrypt:1024:8:1")
    dash_app = create_app({**settings, "USERS": f"alice:{hashed}"})
    async with dash_app.server.test_app():
        yield dash_app


@pytest.mark.parametrize("path", ["/api/history?series=cpu", "/api/export.csv?series=cpu"])
async def test_both_need_the_dashboard_login(guarded: Dash, path: str) -> None:
    await store(guarded, [Point("cpu", time.time() - 5, 1.0)])
    client = guarded.server.test_client()
    assert (await client.get(path)).status_code == 401
    login = {"Authorization": "Basic " + base64.b64encode(b"alice:right").decode()}
    assert (await client.get(path, headers=login)).status_code == 200


BOARD = """
dashboards:
  - name: web
    panels:
      - title: CPU
        series: ["cpu"]
      - title: Memory
        series: ["mem"]
        kind: stat
      - title: Disk
        series: ["disk"]
"""


@pytest.fixture
def with_board(settings: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    """Settings with one dashboard: a line panel of cpu (every host), a stat of mem, a line of disk."""
    (tmp_path / "dashboards.yaml").write_text(BOARD)
    return {**settings, "DASHBOARDS": str(tmp_path / "dashboards.yaml")}


@pytest.fixture
async def boarded(with_board: dict[str, Any]) -> AsyncIterator[Dash]:
    dash_app = create_app(with_board)
    async with dash_app.server.test_app():
        yield dash_app


async def test_a_dashboards_panels_are_answered_in_one_request_placed_as_its_screens_are(boarded: Dash) -> None:
    """?dashboard=&panel= answers each panel's series, as its stream places them: a line's all, a stat's first."""
    now = time.time()
    await store(boarded, [Point("cpu", now - 5, 1.0, HOST_A), Point("cpu", now - 4, 2.0),
                          Point("mem", now - 3, 3.0, HOST_A), Point("mem", now - 2, 4.0), Point("net", now - 1, 5.0)])
    client = boarded.server.test_client()
    answer = await client.get("/api/history?dashboard=web&panel=p0&panel=p1&from=now-1m&points=10")
    assert answer.status_code == 200
    body = await answer.get_json()
    assert sorted(body["panels"]["p0"]) == ["cpu", "cpu" + HOST_A]
    assert len(body["panels"]["p1"]) == 1 and body["panels"]["p1"][0].startswith("mem")
    assert set(body["series"]) == {"cpu", "cpu" + HOST_A, body["panels"]["p1"][0]}
    assert body["series"]["cpu" + HOST_A]["y"] == [1.0]
    every = await (await client.get("/api/history?dashboard=web&from=now-1m")).get_json()
    assert sorted(every["panels"]) == ["p0", "p1", "p2"] and every["panels"]["p2"] == []


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"dashboard": "nope"}, 404, "dashboard"),
        ({"dashboard": "web", "panel": "p7"}, 404, "panel"),
        ({"dashboard": "web", "panel": ["p0"] * 4}, 400, "panel"),
        ({"dashboard": "web", "series": "cpu"}, 400, "dashboard"),
        ({"dashboard": "web", "from": "yesterday"}, 400, "from"),
    ],
)
async def test_a_bad_dashboard_or_panel_is_a_4xx_naming_it(
    boarded: Dash, query: dict[str, Any], status: int, field: str
) -> None:
    answer = await boarded.server.test_client().get("/api/history", query_string=query)
    assert answer.status_code == status
    body = await answer.get_json()
    assert body["field"] == field and field in body["error"]
