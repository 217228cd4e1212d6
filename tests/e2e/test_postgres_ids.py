"""Event ids across hosts (issue 18): 8 writers on 2 uvicorn processes sharing one PostgreSQL database,
readers following "after N" and resuming at random points: every id seen once, none skipped.

A reader that saw id 12 before 11 committed would resume after 12 and never see 11; ids handed out
under the `event_ids` row lock (live/store/postgres_writer.py) make that impossible. Each reader
also goes back at random to an earlier N and reads again up to where it stood: an id that became
visible late would show up there.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import httpx
import pytest

from live.store.postgres import PostgresStore
from tests.support.servers import LiveServer

HOSTS = 2
WRITERS = 8
READERS = 4
BATCH = 125
BATCHES = 1600  # 200,000 points
POINTS = BATCH * BATCHES


async def write(client: httpx.AsyncClient, host: LiveServer, writer: int, acknowledged: list[tuple[int, int]]) -> None:
    """Send this writer's share of the batches, one after another, to its host."""
    for batch in range(writer, BATCHES, WRITERS):
        now = time.time()
        body = [{"series": f"w{writer}", "ts": now, "value": batch * BATCH + i} for i in range(BATCH)]
        response = await client.post(f"{host.url}/api/points", json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        acknowledged.append((answer["first_id"], answer["last_id"]))


class Reader:
    """Follows the store as a framer does (last_id, then between), reopening at random as a resumed screen."""

    def __init__(self, url: str, seed: int) -> None:
        self.url = url
        self.random = random.Random(seed)
        self.seen: list[int] = []
        self.start = 0
        self.resumes = 0
        self.rereads = 0

    async def follow(self, done: asyncio.Event) -> None:
        store = await self._open()
        try:
            # Start somewhere in the middle of the writing, after whatever was there.
            await asyncio.sleep(self.random.random() * 0.5)
            self.start = cursor = await store.last_id()
            while True:
                finished = done.is_set()  # read before: a last pass after the writers are done
                upto = await store.last_id()
                rows = await store.between(cursor, upto)
                self.seen.extend(row.id for row in rows)
                cursor = upto
                if finished:
                    return
                if self.random.random() < 0.05:
                    await store.close()  # a screen gone, and back with Last-Event-ID: cursor
                    store = await self._open()
                    self.resumes += 1
                if self.seen and self.random.random() < 0.05:
                    await self._reread(store, cursor)
        finally:
            await store.close()

    async def _open(self) -> PostgresStore:
        store = PostgresStore(self.url)
        await store.open()
        return store

    async def _reread(self, store: PostgresStore, cursor: int) -> None:
        """Read again from a random earlier N: exactly the ids seen after N, nothing that came late."""
        at = self.random.randrange(max(0, len(self.seen) - 5000), len(self.seen))
        after = self.seen[at - 1] if at else self.start
        again = [row.id for row in await store.between(after, cursor)]
        assert again == self.seen[at:], f"ids after {after} read again differ from those seen"
        self.rereads += 1


@pytest.mark.slow
async def test_ids_are_seen_in_order_once_across_two_hosts(tmp_path: Path, postgres_url: str) -> None:
    hosts = []
    for index in range(HOSTS):
        (tmp_path / f"host{index}").mkdir()
        env = {"PULSEBOARD_DATABASE": postgres_url, "PULSEBOARD_RETENTION_SECONDS": "86400"}
        hosts.append(LiveServer(tmp_path / f"host{index}", env=env).start())
    try:
        acknowledged: list[tuple[int, int]] = []
        readers = [Reader(postgres_url, seed) for seed in range(READERS)]
        done = asyncio.Event()
        following = [asyncio.create_task(reader.follow(done)) for reader in readers]
        limits = httpx.Limits(max_connections=WRITERS)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await asyncio.gather(*(write(client, hosts[w % HOSTS], w, acknowledged) for w in range(WRITERS)))
        done.set()
        await asyncio.gather(*following)
        store = PostgresStore(postgres_url)
        await store.open()
        try:
            last = await store.last_id()
            stored = await store.between(0, last)
        finally:
            await store.close()
        assert last == POINTS and [row.id for row in stored] == list(range(1, POINTS + 1))
        assert sorted(acknowledged) == [(first, first + BATCH - 1) for first in range(1, POINTS, BATCH)]
        assert sorted(row.value for row in stored) == list(range(POINTS))
        for reader in readers:
            expected = list(range(reader.start + 1, last + 1))
            skipped = len(set(expected) - set(reader.seen))
            repeated = len(reader.seen) - len(set(reader.seen))
            assert (skipped, repeated) == (0, 0), f"reader from {reader.start}: {skipped} skipped, {repeated} repeated"
            assert reader.seen == expected
            assert reader.start < POINTS // 2 and reader.resumes > 0 and reader.rereads > 0
    finally:
        for host in hosts:
            host.stop()
