"""Several hosts behind one address (issue 18): nginx (deploy/nginx-hosts.conf) over two uvicorn processes
(2 workers and 1) sharing a PostgreSQL database and a Redis hub, all real, all children of the test.

Points go in through nginx from one producer that retries each batch with its Idempotency-Key until
it is acknowledged; screens read through nginx and reconnect with Last-Event-ID, as the page does.
Across a PostgreSQL restart (ingest answers 503 meanwhile), a Redis restart and one host killed
mid-stream, every screen ends with every point exactly once, in order.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.deploy import PREFIX, Nginx, RedisServer
from tests.support.postgres import PostgresServer, create_database
from tests.support.screen import Screen
from tests.support.servers import ROOT, LiveServer

SERIES = "hosts"
BATCH = 4
SCREENS = 4
DEADLINE = 60.0  # seconds any phase may take on a busy machine


def render_hosts(ports: list[int], listen: int) -> str:
    """Return deploy/nginx-hosts.conf as shipped, its upstream pointed at these hosts."""
    site = (ROOT / "deploy" / "nginx-hosts.conf").read_text()
    for name, port in zip(("pulseboard-a", "pulseboard-b"), ports, strict=True):
        assert f"server {name}:8000 " in site
        site = site.replace(f"server {name}:8000 ", f"server 127.0.0.1:{port} ")
    return site.replace("listen 80;", f"listen 127.0.0.1:{listen};")


@dataclass
class Producer:
    """Sends batch after batch through nginx, each retried with its key until acknowledged."""

    url: str
    acknowledged: int = 0  # batches
    failed: str = ""  # an answer no retry would change
    statuses: dict[int, int] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, client: httpx.AsyncClient) -> None:
        batch = 0
        start = time.time()
        while True:
            body = [
                {"series": SERIES, "ts": start + v / 1000, "value": v}
                for v in range(batch * BATCH, (batch + 1) * BATCH)
            ]
            key = uuid.uuid4().hex
            while True:
                try:
                    response = await client.post(f"{self.url}/api/points", json=body, headers={"Idempotency-Key": key})
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0  # the connection failed: unknown, retried with the same key
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status not in (0, 200, 502, 503, 504):
                    self.failed = f"{status}: {response.text}"
                self.changed.set()
                if status == 200:
                    break
                if self.failed:
                    return
                await asyncio.sleep(0.1)  # a producer's retry pace, not a wait on a result
            batch += 1
            self.acknowledged = batch
            await asyncio.sleep(0.05)  # the load's pace

    async def wait(self, condition: Callable[[Producer], bool], what: str) -> None:
        try:
            async with asyncio.timeout(DEADLINE):
                while not condition(self):
                    assert not self.failed, self.failed
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}: {self.acknowledged} batches, {self.statuses}"
            ) from None


@dataclass
class ResumingScreen:
    """A screen's stream through nginx: on any end it reconnects after its last event id."""

    url: str
    screen: Screen = field(default_factory=Screen)
    workers: list[str] = field(default_factory=list)
    firsts: list[str] = field(default_factory=list)  # each connection's first event: a resume is a frame
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, client: httpx.AsyncClient) -> None:
        while True:
            headers = {"Accept": "text/event-stream"}
            if self.screen.last_id is not None:
                headers["Last-Event-ID"] = self.screen.last_id
            try:
                async with client.stream("GET", f"{self.url}/api/stream", headers=headers) as response:
                    if response.status_code == 200:
                        self.workers.append(response.headers["X-Pulseboard-Worker"])
                        self.firsts.append("")
                        self.changed.set()
                        await self._read(response.aiter_lines())
            except httpx.HTTPError:
                pass  # the host went away mid-stream: reconnect, as the browser does
            await asyncio.sleep(0.2)  # the page's retry delay

    async def _read(self, lines: AsyncIterator[str]) -> None:
        fields: dict[str, str] = {}
        async for line in lines:
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if fields.get("event") in ("frame", "reset"):
                self.firsts[-1] = self.firsts[-1] or fields["event"]
                self.screen.apply({"event": fields["event"], "id": fields.get("id"), "data": fields["data"]})
                self.changed.set()
            fields = {}

    def shown(self) -> list[float]:
        return self.screen.traces.get(SERIES, {}).get("y", [])

    async def wait(self, condition: Callable[[ResumingScreen], bool], what: str) -> None:
        try:
            async with asyncio.timeout(DEADLINE):
                while not condition(self):
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}: screen shows {self.shown()[-10:]}") from None


def processes(host: LiveServer) -> set[int]:
    """Return the pids of a uvicorn and its workers."""
    parent = psutil.Process(host.process.pid)
    return {parent.pid, *(child.pid for child in parent.children(recursive=True))}


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server the test may restart."""
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.mark.slow
async def test_screens_on_either_host_see_every_point_once_across_restarts_and_a_host_lost(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    redis = RedisServer(tmp_path).start()
    database = create_database(postgres.server)
    hosts = []
    for index, workers in enumerate((2, 1)):
        folder = tmp_path / f"host{index}"
        folder.mkdir()
        env = {
            "PULSEBOARD_DATABASE": database,
            "PULSEBOARD_HUB_URL": redis.url,
            "PULSEBOARD_WRITE_TIMEOUT_SECONDS": "2",
            "DASH_URL_BASE_PATHNAME": f"{PREFIX}/",
        }
        host = LiveServer(folder, env, ["--workers", str(workers), "--timeout-graceful-shutdown", "3"])
        host.prefix = PREFIX
        hosts.append(host.start())
    nginx = Nginx(tmp_path, lambda port: render_hosts([host.port for host in hosts], port)).start()
    producer = Producer(nginx.url)
    screens = [ResumingScreen(nginx.url) for _ in range(SCREENS)]
    tasks: list[asyncio.Task[None]] = []
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=60)) as client:
            tasks = [asyncio.create_task(screen.run(client)) for screen in screens]
            for screen in screens:
                await screen.wait(lambda s: s.workers, "the stream to open")
            pids = [processes(host) for host in hosts]
            on = [{i for i, p in enumerate(pids) if int(screen.workers[0]) in p} for screen in screens]
            assert {0, 1} <= set().union(*on), f"nginx put every screen on one host: {on}"
            tasks.append(asyncio.create_task(producer.run(client)))
            await producer.wait(lambda p: p.acknowledged >= 20, "points to flow")

            # PostgreSQL restarts: ingest answers 503 while it is down, then goes on.
            postgres.stop()
            before = producer.statuses.get(503, 0)
            await producer.wait(lambda p: p.statuses.get(503, 0) > before, "a 503 while PostgreSQL is down")
            postgres.start()
            acknowledged = producer.acknowledged
            await producer.wait(lambda p: p.acknowledged >= acknowledged + 20, "ingest to resume")

            # Redis restarts: fan-out resumes from the store.
            redis.stop()
            acknowledged = producer.acknowledged
            await producer.wait(lambda p: p.acknowledged >= acknowledged + 10, "ingest with Redis down")
            redis.start()
            acknowledged = producer.acknowledged
            await producer.wait(lambda p: p.acknowledged >= acknowledged + 20, "ingest after Redis is back")

            # Host 0 is killed mid-stream: its screens come back through nginx on host 1.
            lost = pids[0]
            for pid in lost:
                psutil.Process(pid).send_signal(signal.SIGKILL)
            acknowledged = producer.acknowledged
            await producer.wait(lambda p: p.acknowledged >= acknowledged + 20, "ingest on the other host")
            moved = [screen for screen, hosts_on in zip(screens, on, strict=True) if hosts_on == {0}]
            for screen in moved:
                await screen.wait(lambda s: int(s.workers[-1]) in pids[1], "the screen to move to host 1")
                await screen.wait(lambda s: s.firsts[-1], "the moved screen's first event")
                assert screen.firsts[-1] == "frame", "the moved screen was reset, not resumed after its last id"

            tasks.pop().cancel()  # the producer stops
            total = producer.acknowledged * BATCH
            expected = [float(v) for v in range(total)]
            for screen in screens:
                await screen.wait(lambda s: s.shown()[-1:] == [expected[-1]], "the last point")
                assert screen.shown() == expected, "a point missing or shown twice"
            assert producer.statuses.get(503, 0) > 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        nginx.stop()
        for host in hosts:
            if host.process.poll() is None:
                host.stop()
        redis.stop()
