"""Dashboards through the app: start-up errors, a dashboard's stream carrying only its series, resume, stale gauge."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from app import create_app
from live.config import ConfigError
from tests.app.test_stream import framed, next_of, post, stream

BOARD = """dashboards:
  - name: ops
    panels:
      - title: CPU
        series: ["cpu*"]
        stale_seconds: 30
      - title: Mem
        series: ['mem{host="a"}']
        kind: stat
"""


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "dashboards.yaml").write_text(BOARD)
    return {"DATABASE": str(tmp_path / "test.sqlite3"), "FEED": False, "DASHBOARDS": str(tmp_path / "dashboards.yaml")}


def test_start_up_fails_naming_the_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "boards.yaml"
    bad.write_text(BOARD.replace("kind: stat", "kind: dial"))
    with pytest.raises(ConfigError) as error:
        create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "FEED": False, "DASHBOARDS": str(bad)})
    message = str(error.value)
    assert "PULSEBOARD_DASHBOARDS" in message and "boards.yaml, line 9" in message
    assert "dashboard 'ops'" in message and "panel 2" in message and "kind" in message


def test_a_named_file_that_is_missing_fails_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.yaml"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "DASHBOARDS": str(tmp_path / "nowhere.yaml")})


async def test_the_default_file_beside_the_database_is_served(tmp_path: Path) -> None:
    (tmp_path / "dashboards.yaml").write_text(BOARD)
    dash_app = create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "FEED": False})
    async with dash_app.server.test_app() as test_app:
        from live.runtime import EXTENSION

        assert test_app.app.extensions[EXTENSION].dashboards.names == ["ops"]


async def test_an_unknown_dashboard_has_no_stream(client: Client) -> None:
    response = await client.get("/api/stream?dashboard=nope", headers={"Accept": "text/event-stream"})
    assert response.status_code == 404
    assert "nope" in (await response.get_data(as_text=True))


async def test_a_dashboard_stream_resets_and_frames_only_its_series(client: Client) -> None:
    """Reset and frames name cpu* and mem{host="a"}, never mem{host="b"} or disk; each with its panel."""
    await post(client, {"series": "cpu", "value": 1}, {"series": "disk", "value": 1})
    await framed(client, (await post(client, {"series": "mem", "value": 1, "labels": {"host": "b"}}))["last_id"])
    async with stream(client, query="?dashboard=ops") as (_, _, reader):
        reset = (await next_of(reader, "reset")).json()
        assert {key: trace["panels"] for key, trace in reset["traces"].items()} == {"cpu": ["p0"]}
        await post(client, {"series": "disk", "value": 2}, {"series": "mem", "value": 2, "labels": {"host": "b"}})
        await post(client, {"series": "cpu.user", "value": 3}, {"series": "mem", "value": 4, "labels": {"host": "a"}})
        seen: dict[str, Any] = {}
        while len(seen) < 2:
            frame = (await next_of(reader, "frame")).json()
            assert "now" in frame
            seen.update({key: entry["panels"] for key, entry in frame.get("new", {}).items()})
            assert set(frame["updates"]) <= {"cpu.user", 'mem{"host":"a"}'}
        assert seen == {"cpu.user": ["p0"], 'mem{"host":"a"}': ["p1"]}


async def test_a_dashboard_screen_resumes_with_only_its_series(client: Client) -> None:
    """A catch-up after a cut is filtered like the live frames."""
    first = (await post(client, {"series": "cpu", "value": 1}))["last_id"]
    await post(client, {"series": "cpu", "value": 2}, {"series": "disk", "value": 9})
    await framed(client, (await post(client, {"series": "disk", "value": 10}))["last_id"])
    async with stream(client, {"Last-Event-ID": str(first)}, query="?dashboard=ops") as (_, _, reader):
        frame = (await next_of(reader, "frame")).json()
        assert list(frame["updates"]) == ["cpu"]
        assert frame["updates"]["cpu"]["y"] == [2.0]


async def test_the_stale_series_gauge_counts_quiet_series_on_panels_with_stale_seconds(client: Client) -> None:
    await post(client, {"series": "cpu", "value": 1, "ts": time.time() - 120}, {"series": "cpu.sys", "value": 1})
    await framed(client, (await post(client, {"series": "mem", "value": 1, "ts": time.time() - 120}))["last_id"])
    text = await (await client.get("/metrics")).get_data(as_text=True)
    assert 'pulseboard_stale_series{dashboard="ops"} 1.0' in text


def test_a_panel_window_larger_than_the_screens_hold_fails_start_up(tmp_path: Path) -> None:
    path = tmp_path / "boards.yaml"
    path.write_text(BOARD.replace("stale_seconds: 30", "window_points: 5000"))
    with pytest.raises(ConfigError, match=r"panel 1 \('CPU'\), field 'window_points': 5000 is more than the 1000"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "DASHBOARDS": str(path)})


async def test_dashboards_given_as_python_models_are_served(tmp_path: Path) -> None:
    """Dashboards as code in Python: the same models the file is read into, with the same checks."""
    from live.dashboards import Dashboard, DashboardsFile, PanelSpec

    boards = DashboardsFile(dashboards=[Dashboard(name="py", panels=[PanelSpec(title="CPU", series=["cpu"])])])
    dash_app = create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "FEED": False, "DASHBOARDS": boards})
    async with dash_app.server.test_app() as test_app:
        async with stream(test_app.test_client(), query="?dashboard=py") as (connection, _, reader):
            assert connection.status_code == 200
            assert (await next_of(reader, "reset")).json()["traces"] == {}
    bad = {"dashboards": [{"name": "x", "columns": 0, "panels": [{"title": "t", "series": ["s"]}]}]}
    with pytest.raises(ConfigError, match="columns"):
        create_app({"DATABASE": str(tmp_path / "y.sqlite3"), "DASHBOARDS": bad})


@pytest.mark.parametrize(
    ("query", "extra", "read"),
    [("?dashboard=ops", {}, {"cpu"}), ("?page=2", {"AUTO_MAX_PANELS": 1}, {'mem{"host":"b"}'})],
)
async def test_a_reset_reads_the_windows_of_the_series_it_sends_and_no_other(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch, query: str, extra: dict[str, Any], read: set[str]
) -> None:
    """A dashboard or a page of the automatic one reads only its own series' windows (issue 13, finding 1)."""
    from live.runtime import EXTENSION

    dash_app = create_app({**settings, **extra})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        await post(client, {"series": "disk", "value": 1})
        await post(client, {"series": "mem", "value": 1, "labels": {"host": "b"}}, {"series": "cpu", "value": 1})
        await framed(client, 3)
        store = test_app.app.extensions[EXTENSION].store
        asked: list[set[str] | None] = []
        every = store.windows

        async def windows(upto: int, limit: int, keys: Any = None) -> Any:
            asked.append(None if keys is None else set(keys))
            return await every(upto, limit, keys)

        monkeypatch.setattr(store, "windows", windows)
        async with stream(client, query=query) as (_, _, reader):
            reset = (await next_of(reader, "reset")).json()
        assert set(reset["traces"]) == read
        assert asked == [read]


async def test_a_playlist_stream_carries_every_dashboard_of_it_with_prefixed_panels(tmp_path: Path) -> None:
    disk = "  - name: db\n    panels:\n      - title: Disk\n        series: [disk]\n"
    (tmp_path / "boards.yaml").write_text(BOARD + disk)
    dash_app = create_app({"DATABASE": str(tmp_path / "p.sqlite3"), "FEED": False,
                           "DASHBOARDS": str(tmp_path / "boards.yaml")})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        stored = await post(client, {"series": "cpu", "value": 1}, {"series": "disk", "value": 2})
        await framed(client, stored["last_id"])
        async with stream(client, query="?playlist=ops,db") as (_, _, reader):
            reset = (await next_of(reader, "reset")).json()
        assert {key: trace["panels"] for key, trace in reset["traces"].items()} == {"cpu": ["s0p0"], "disk": ["s1p0"]}
        for query, status, words in [("?playlist=ops,nope", 404, "no dashboard named 'nope'"),
                                     ("?playlist=ops,,db", 400, "playlist: give dashboard names"),
                                     ("?playlist=ops,ops", 400, "named twice")]:
            answer = await client.get("/api/stream" + query, headers={"Accept": "text/event-stream"})
            assert answer.status_code == status and words in html.unescape(await answer.get_data(as_text=True)), query
