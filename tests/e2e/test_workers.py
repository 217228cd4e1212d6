"""Several uvicorn workers fanned out through a real Redis: every client sees every point once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.support.deploy import RedisServer, StreamReader, wait_for_graph
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, LiveServer, wait_for

WORKERS = 4
WORKER_HEADER = "X-Pulseboard-Worker"
# A new connection per request, so requests spread over the workers as clients' would.
FRESH = {"Connection": "close"}


class Cluster:
    """uvicorn --workers 4 on one database, with the Redis hub, and the redis-server it uses."""

    def __init__(self, app: LiveServer, redis: RedisServer) -> None:
        self.app = app
        self.redis = redis

    def readiness(self, timeout: float = 60.0) -> dict[str, dict]:
        """Ask /readyz on fresh connections until every worker has answered ready; return the answers."""
        answers: dict[str, dict] = {}

        def all_ready() -> bool:
            try:
                answer = httpx.get(f"{self.app.url}/readyz", headers=FRESH, timeout=2)
            except httpx.HTTPError:
                return False
            if answer.status_code == 200:
                answers[answer.headers[WORKER_HEADER]] = answer.json()
            else:
                answers.pop(answer.headers.get(WORKER_HEADER, ""), None)
            return len(answers) == WORKERS

        wait_for(all_ready, timeout=timeout, what=f"all {WORKERS} workers to answer /readyz with 200")
        return answers


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Start a private redis-server, then four workers using it, each with its own metrics files."""
    tmp = tmp_path_factory.mktemp("workers")
    redis = RedisServer(tmp).start()
    metrics_dir = tmp / "metrics"
    metrics_dir.mkdir()
    env = {
        "PULSEBOARD_HUB_URL": redis.url,
        "PULSEBOARD_FEED": "true",
        # One feed batch at start-up, then none: a feed publishing every second would wake every
        # framer after a Redis restart and hide whether the resubscription catches up by itself.
        "PULSEBOARD_FEED_INTERVAL_SECONDS": "3600",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    app = LiveServer(tmp, env, ["--workers", str(WORKERS), "--timeout-graceful-shutdown", "3"])
    app.start()
    try:
        cluster = Cluster(app, redis)
        cluster.readiness()
        yield cluster
    finally:
        app.stop(timeout=20)
        redis.stop()


async def post_all(url: str, batches: list[list[float]], workers: set[str], concurrency: int = 8) -> None:
    """POST each batch as series 't' on a fresh connection, `concurrency` at a time; note who answered."""
    gate = asyncio.Semaphore(concurrency)

    async def post(client: httpx.AsyncClient, values: list[float]) -> None:
        async with gate:
            now = time.time()
            points = [{"series": "t", "ts": now, "value": value} for value in values]
            answer = await client.post(f"{url}/api/points", json=points, headers=FRESH)
            assert answer.status_code == 200, answer.text
            workers.add(answer.headers[WORKER_HEADER])

    async with httpx.AsyncClient(timeout=20) as client:
        await asyncio.gather(*(post(client, batch) for batch in batches))


def batches(start: int, stop: int) -> list[list[float]]:
    """Split start..stop-1 into batches of 1 to 3 points, each value a point's identity."""
    values = list(range(start, stop))
    out, size = [], 1
    while values:
        out.append([float(v) for v in values[:size]])
        values, size = values[size:], size % 3 + 1
    return out


async def open_readers(cluster: Cluster, minimum: int, cap: int = 48) -> list[StreamReader]:
    """Open streams on fresh connections, four at a time, until there are `minimum` and every worker has one."""
    readers: list[StreamReader] = []

    async def open_one() -> StreamReader:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10, read=60))
        return await StreamReader(client, f"{cluster.app.url}/api/stream").open()

    # Connections opened together spread better: a worker busy accepting one leaves the next to another.
    while len(readers) < minimum or len({r.worker for r in readers}) < WORKERS:
        assert len(readers) < cap, f"{cap} streams landed on only {len({r.worker for r in readers})} workers"
        readers.extend(await asyncio.gather(*(open_one() for _ in range(4))))
    return readers


async def close_readers(readers: list[StreamReader]) -> None:
    """Close every stream and its client."""
    for reader in readers:
        await reader.close()
        await reader.client.aclose()


def has_all(count: int) -> Callable[[StreamReader], bool]:
    """Return a condition: the reader's screen shows point values 0..count-1."""
    return lambda reader: set(reader.shown("t")) >= set(map(float, range(count)))


def metric(text: str, name: str) -> float:
    """Return a sample's value from Prometheus text format."""
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


async def test_every_client_sees_every_point_once_across_a_redis_restart(cluster: Cluster) -> None:
    """Points ingested through all workers reach streams on all workers exactly once, Redis restarted midway."""
    readers = await open_readers(cluster, minimum=8)
    ingested_by: set[str] = set()
    try:
        await post_all(cluster.app.url, batches(0, 60), ingested_by)
        for reader in readers:
            await reader.wait_for(has_all(60), timeout=20, what=f"points 0-59 on worker {reader.worker}")

        cluster.redis.stop()  # every worker's subscription drops; publishes fail over to local delivery
        # One batch, so one worker stores it and the other three hear nothing of it.
        await post_all(cluster.app.url, [[float(v) for v in range(60, 90)]], ingested_by)
        cluster.redis.start()
        # Nothing more is published yet: only the workers' catch-up on resubscribing can bring these.
        for reader in readers:
            await reader.wait_for(has_all(90), timeout=30, what=f"points 60-89 on worker {reader.worker}")
        await post_all(cluster.app.url, batches(90, 120), ingested_by)
        for reader in readers:
            await reader.wait_for(has_all(120), timeout=30, what=f"points 0-119 on worker {reader.worker}")

        async with httpx.AsyncClient(timeout=10) as client:
            scraped = (await client.get(f"{cluster.app.url}/metrics")).text
    finally:
        await close_readers(readers)

    assert len(ingested_by) > 1, "every POST landed on one worker"
    for reader in readers:
        # Each point once on every screen, in time order.
        assert sorted(reader.shown("t")) == [float(v) for v in range(120)], f"worker {reader.worker}"
        ids = [int(event.id) for event in reader.events]
        assert ids == sorted(set(ids)), f"event ids not strictly increasing on worker {reader.worker}"
    # Every worker's figures, added up, whichever worker answered the scrape.
    assert metric(scraped, 'pulseboard_points_ingested_total{protocol="json"}') == 120
    assert metric(scraped, "pulseboard_open_streams") == len(readers)
    assert "database is locked" not in cluster.app.log.read_text()
    cluster.readiness()  # and every worker is subscribed again


def test_one_worker_leads_and_runs_the_feed(cluster: Cluster) -> None:
    """Exactly one worker holds the leader lock, and it is the one feeding host figures."""
    answers = cluster.readiness()
    leaders = [worker for worker, answer in answers.items() if answer["leader"]]
    assert len(leaders) == 1, answers
    lock = Path(f"{cluster.app.database}.leader")
    assert lock.read_text().strip() == leaders[0]
    wait_for(lambda: cluster.app.query("SELECT COUNT(*) FROM series WHERE name LIKE 'host.%'")[0][0] > 0)


@pytest.mark.browser
async def test_browser_on_workers_draws_points_from_every_worker(cluster: Cluster) -> None:
    """A page served by one worker draws points ingested through the others."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            # The series exists before the page loads, as on a running site: the page load draws it.
            first = httpx.post(f"{cluster.app.url}/api/points", json=[{"series": "b", "ts": time.time(), "value": 0}])
            assert first.status_code == 200
            await page.goto(f"{cluster.app.url}/")
            await page.wait_for_function(
                "() => window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1",
                timeout=20_000,
                polling=50,
            )
            await wait_for_graph(page, "b", [0])
            workers: set[str] = set()
            async with httpx.AsyncClient(timeout=10) as client:
                for value in range(1, 8):
                    point = [{"series": "b", "ts": time.time(), "value": value}]
                    answer = await client.post(f"{cluster.app.url}/api/points", json=point, headers=FRESH)
                    assert answer.status_code == 200
                    workers.add(answer.headers[WORKER_HEADER])
            assert len(workers) > 1
            await wait_for_graph(page, "b", list(range(8)))
        finally:
            await browser.close()
