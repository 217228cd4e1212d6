"""The real influxdb-client against a live uvicorn: its synchronous and batching writes, on an open screen."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from influxdb_client import InfluxDBClient, Point, WriteOptions
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.rest import ApiException

from tests.support.servers import GRAPHS_JS, live_server, wait_for

TOKEN = "influx-token"
ENV = {"PULSEBOARD_INGEST_TOKEN": TOKEN}
LIVE_JS = "!!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"


def test_synchronous_writes_store_and_refusals_raise(tmp_path: Path) -> None:
    """write() with SYNCHRONOUS returns once stored (gzip or not); a string field raises the 400 with the line."""
    with live_server(tmp_path, env=ENV) as server:
        for gzipped in (False, True):
            with InfluxDBClient(url=server.url, token=TOKEN, org="acme", enable_gzip=gzipped) as client:
                writer = client.write_api(write_options=SYNCHRONOUS)
                writer.write(bucket="ops", record=Point("cpu").tag("host", "a").field("usage", 12.5).field("n", 3))
                writer.write(bucket="ops", record="mem,host=a used_percent=40.5", write_precision="s")
        rows = server.query("SELECT s.name, s.labels, p.value FROM points p JOIN series s ON s.id = p.series_id")
        assert sorted(rows) == sorted(
            [
                ("cpu.usage", '{"host":"a"}', 12.5),
                ("cpu.n", '{"host":"a"}', 3.0),
                ("mem.used_percent", '{"host":"a"}', 40.5),
            ]
            * 2
        )
        with InfluxDBClient(url=server.url, token=TOKEN, org="acme") as client:
            writer = client.write_api(write_options=SYNCHRONOUS)
            with pytest.raises(ApiException) as refused:
                writer.write(bucket="ops", record=["up value=1", 'up state="ok"'])
        assert refused.value.status == 400
        assert "line 2: field 'state' is a string" in refused.value.body
        with InfluxDBClient(url=server.url, token="wrong", org="acme") as client:
            with pytest.raises(ApiException) as denied:
                client.write_api(write_options=SYNCHRONOUS).write(bucket="ops", record="up value=1")
        assert denied.value.status == 403


def test_the_batching_writer_delivers_every_point(tmp_path: Path) -> None:
    """The default (batching) write API: 1,000 points in batches of 100, all stored once flushed."""
    with live_server(tmp_path, env=ENV) as server:
        start = time.time_ns() - 10**9
        with InfluxDBClient(url=server.url, token=TOKEN, org="acme") as client:
            with client.write_api(write_options=WriteOptions(batch_size=100, flush_interval=200)) as writer:
                for i in range(1000):
                    record = Point("load").tag("host", f"h{i % 4}").field("value", float(i)).time(start + i)
                    writer.write(bucket="ops", record=record)
        # Leaving the block flushed and closed the writer; the server has every point.
        wait_for(lambda: server.query("SELECT count(*) FROM points")[0][0] == 1000, what="every point")
        hosts = server.query("SELECT DISTINCT s.labels FROM series s WHERE s.name = 'load' ORDER BY s.labels")
        assert [labels for (labels,) in hosts] == [f'{{"host":"h{i}"}}' for i in range(4)]


@pytest.mark.browser
def test_a_point_written_by_the_client_appears_on_screen(page: Any, tmp_path: Path) -> None:
    """Written by influxdb-client, drawn under its series key: measurement.field plus the tags."""
    with live_server(tmp_path, env=ENV) as server:
        with InfluxDBClient(url=server.url, token=TOKEN, org="acme") as client:
            writer = client.write_api(write_options=SYNCHRONOUS)
            writer.write(bucket="ops", record=Point("cpu").tag("host", "a").field("usage", 1.5))
            page.goto(server.url + "/")
            wait_for(lambda: page.evaluate(LIVE_JS), what="the stream to open")
            key, live_key = 'cpu.usage{"host":"a"}', 'cpu.usage{"host":"b","rack":"r 1"}'
            wait_for(lambda: key in page.evaluate(GRAPHS_JS), what="the page-load trace")
            writer.write(bucket="ops", record=Point("cpu").tag("host", "a").field("usage", 2.5))
            writer.write(bucket="ops", record=Point("cpu").tag("rack", "r 1").tag("host", "b").field("usage", 7.0))
            wait_for(lambda: page.evaluate(GRAPHS_JS).get(key, {}).get("y") == [1.5, 2.5], what="the live point")
            wait_for(lambda: page.evaluate(GRAPHS_JS).get(live_key, {}).get("y") == [7.0], what="the new label set")
        graphs = page.evaluate(GRAPHS_JS)
        assert graphs[key]["panel"] == graphs[live_key]["panel"]
        assert graphs[live_key]["name"] == "host=b, rack=r 1"
