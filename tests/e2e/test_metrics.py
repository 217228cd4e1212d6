"""GET /metrics: Prometheus counters for ingest, streams and frames, from a real uvicorn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.deploy import StreamReader
from tests.support.servers import LiveServer, live_server, wait_for


def sample(text: str, name: str) -> float:
    """Return one sample's value from Prometheus text format, 0 if absent."""
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """One uvicorn process, in-process hub."""
    with live_server(tmp_path) as server:
        yield server


async def test_metrics_count_ingest_errors_frames_and_streams(server: LiveServer) -> None:
    """Points, refused batches by kind, frames sent, open streams and stream lag all show in /metrics."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:

        async def scrape() -> str:
            answer = await client.get("/metrics")
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain")
            return answer.text

        scraped = await scrape()
        for protocol in ("json", "influx", "otlp", "prometheus"):  # each shows from the start
            assert f'pulseboard_points_ingested_total{{protocol="{protocol}"}} 0.0' in scraped
        reader = await StreamReader(client, "/api/stream").open()
        try:
            assert sample(await scrape(), "pulseboard_open_streams") == 1
            now = time.time()
            points = [{"series": "m", "ts": now, "value": v} for v in (1, 2, 3)]
            assert (await client.post("/api/points", json=points)).status_code == 200
            assert (
                await client.post("/api/points", content=b"{not json", headers={"Content-Type": "application/json"})
            ).status_code == 400
            assert (await client.post("/api/points", json=[{"series": "m", "ts": "x", "value": 1}])).status_code == 422
            await reader.wait_for(lambda r: r.values("m") == [1, 2, 3], what="the frame")
            text = await scrape()
        finally:
            await reader.close()

        assert sample(text, 'pulseboard_points_ingested_total{protocol="json"}') == 3
        assert sample(text, 'pulseboard_ingest_errors_total{kind="invalid",protocol="json"}') == 2
        assert sample(text, "pulseboard_frames_sent_total") >= 2  # the reset, then the frame
        assert sample(text, "pulseboard_stream_lag_seconds_count") >= 1
        # The server notices the reader has gone when it next writes: a heartbeat at the latest.
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as other:
            assert (await other.post("/api/points", json=[{"series": "m", "ts": now, "value": 4}])).status_code == 200

        wait_for(
            lambda: sample(httpx.get(f"{server.url}/metrics").text, "pulseboard_open_streams") == 0,
            timeout=20,
            what="open streams to go back to 0",
        )


def test_metrics_add_up_across_workers(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, any worker's /metrics reports the sum over all workers."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with live_server(tmp_path, env, ["--workers", "2"]) as server:
        answered: set[str] = set()

        def post_until_both_answered() -> bool:
            answer = server.post([{"series": "w", "ts": time.time(), "value": 1}], headers={"Connection": "close"})
            assert answer.status_code == 200
            answered.add(answer.headers["X-Pulseboard-Worker"])
            return len(answered) == 2

        wait_for(post_until_both_answered, timeout=30, what="POSTs to land on both workers")
        stored = server.query("SELECT COUNT(*) FROM points")[0][0]
        for _ in range(4):  # whichever worker answers, the figure is the whole
            scraped = httpx.get(f"{server.url}/metrics", headers={"Connection": "close"}).text
            assert sample(scraped, 'pulseboard_points_ingested_total{protocol="json"}') == stored
