"""Names that would look like another are refused on every entry path, named, with nothing stored (issue 13)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client

from live import get_live
from live.model import InvalidInput

ZWSP = "cpu\u200b"  # looks like "cpu"
WHY = "must not contain invisible format characters: U+200B ZERO WIDTH SPACE at index 3"


async def stored(app: Dash) -> list[tuple[str, str]]:
    live = app.server.extensions["pulseboard"]
    return [(row.series, row.labels) for row in await live.store.between(0, 10**9)]


def otlp_export(name: str, attributes: dict[str, str]) -> dict[str, Any]:
    point = {
        "asDouble": 1.0,
        "timeUnixNano": str(time.time_ns()),
        "attributes": [{"key": key, "value": {"stringValue": value}} for key, value in attributes.items()],
    }
    metric = {"name": name, "gauge": {"dataPoints": [point]}}
    return {"resourceMetrics": [{"scopeMetrics": [{"metrics": [metric]}]}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"series": "cpu", "value": 1}, {"series": ZWSP, "value": 2}], "series"),
        ([{"series": "cpu", "value": 1}, {"series": "cpu", "value": 2, "labels": {"host": ZWSP}}], "labels"),
    ],
)
async def test_json(app: Dash, client: Client, body: Any, field: str) -> None:
    """POST /api/points: 422 naming the row, field and character."""
    response = await client.post("/api/points", json=body)
    assert response.status_code == 422
    answer = await response.get_json()
    assert (answer["row"], answer["field"]) == (1, field)
    assert WHY in answer["error"]
    assert await stored(app) == []


@pytest.mark.parametrize(
    "body",
    [
        f"cpu value=1\n{ZWSP} value=2\n",  # the measurement
        f"cpu value=1\ncpu,host={ZWSP} value=2\n",  # a tag
        "cpu value=1\ncpu\\  value=2\n",  # a trailing space, escaped as line protocol does
    ],
)
async def test_influx_line_protocol(app: Dash, client: Client, body: str) -> None:
    """POST /api/v2/write: 422 in InfluxDB's shape, naming the line and character."""
    response = await client.post("/api/v2/write?precision=s", data=body.encode())
    assert response.status_code == 422
    message = (await response.get_json())["message"]
    assert message.startswith("line 2 (")
    assert WHY in message or "must not begin or end with a space (U+0020)" in message
    assert await stored(app) == []


@pytest.mark.parametrize(("name", "attributes"), [(ZWSP, {}), ("cpu", {"host": ZWSP})])
async def test_otlp(app: Dash, client: Client, name: str, attributes: dict[str, str]) -> None:
    """POST /v1/metrics: the one data point refused, so a 400 Status naming the character."""
    body = json.dumps(otlp_export(name, attributes)).encode()
    response = await client.post("/v1/metrics", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert WHY in (await response.get_json())["message"]
    assert await stored(app) == []


@pytest.mark.parametrize(
    "body",
    [
        'cpu 1\ncpu{host="cpu\u200b"} 2\n',
        'cpu{host="a"} 1\ncpu{host="cpu\u200b",dc="b"} 2\n',
    ],
)
async def test_prometheus_text(app: Dash, client: Client, body: str) -> None:
    """POST /api/prometheus: 422 naming the line and character."""
    response = await client.post("/api/prometheus", data=body.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    answer = await response.get_json()
    assert WHY in answer["error"]
    assert await stored(app) == []


async def test_python_callers(app: Dash, client: Client) -> None:
    """Live.push and Live.ingest: InvalidInput naming the row, field and character."""
    async with app.server.app_context():
        live = get_live()
        with pytest.raises(InvalidInput, match=f"^series {re.escape(WHY)}$"):
            await live.push(ZWSP, 1.0)
        with pytest.raises(InvalidInput, match=f"^a label name {re.escape(WHY)}$") as refused:
            await live.ingest([{"series": "cpu", "value": 1.0}, {"series": "cpu", "value": 1.0, "labels": {ZWSP: "a"}}])
        assert (refused.value.row, refused.value.field) == (1, "labels")
    assert await stored(app) == []


async def test_a_name_and_its_composed_form_are_one_series_on_screen(app: Dash, client: Client) -> None:
    """'café' typed decomposed over HTTP and composed from Python land on one series, stored composed."""
    response = await client.post("/api/points", json={"series": "cafe\u0301", "value": 1, "labels": {"k": "e\u0301"}})
    assert response.status_code == 200
    async with app.server.app_context():
        await get_live().push("caf\u00e9", 2.0, labels={"k": "\u00e9"})
    assert await stored(app) == [("caf\u00e9", '{"k":"\u00e9"}')] * 2
