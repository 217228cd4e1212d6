"""The PostgreSQL store's own: its schema and upgrade, several hosts on one database, a server that goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from live.model import Idempotency, Point, Row
from live.store import StorageError
from live.store.postgres import PostgresStore
from live.store.postgres_schema import VERSION, prepare
from tests.support.postgres import database_url
from tests.support.proxy import CuttingProxy
from tests.support.waiting import eventually


def points(series: str, count: int = 1, start: float = 1000.0) -> list[Point]:
    return [Point(series, start + i, float(i)) for i in range(count)]


@pytest.fixture
async def admin(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own to the test's database: another host, or an operator."""
    db = await asyncpg.connect(postgres_url)
    yield db
    await db.close()


async def opened(url: str, **options: object) -> PostgresStore:
    store = PostgresStore(url, **options)
    await store.open()
    return store


async def test_a_new_database_gets_the_schema_at_its_version(postgres_url: str, admin: asyncpg.Connection) -> None:
    """Tables, the version row and the id counter are made at first open; a second open changes nothing."""
    store = await opened(postgres_url)
    await store.close()
    again = await opened(postgres_url)
    try:
        assert await admin.fetchval("SELECT version FROM pulseboard_schema") == VERSION == 2
        assert await admin.fetchval("SELECT count(*) FROM pulseboard_schema") == 1
        assert await admin.fetchval("SELECT last FROM event_ids") == 0
        assert again.database_id == store.database_id != ""
        await again.ping()
    finally:
        await again.close()


async def test_version_1_is_upgraded_to_2_keeping_everything(postgres_url: str, admin: asyncpg.Connection) -> None:
    """A database a version-1 Pulseboard wrote gets idempotency keys; series, points, ids and meta stay."""
    await prepare(admin, to=1)
    assert await admin.fetchval("SELECT to_regclass('idempotency_keys')") is None
    await admin.execute("INSERT INTO series (name, labels) VALUES ('cpu', '{\"host\":\"a\"}'), ('mem', '')")
    await admin.execute("INSERT INTO points VALUES (1, 1, 10.0, 1.0), (2, 2, 11.0, 2.0)")
    await admin.execute("UPDATE event_ids SET last = 2")
    await admin.execute("UPDATE meta SET value = 'beef4567' WHERE key = 'database_id'")
    await admin.execute("INSERT INTO meta VALUES ('resume_floor', '1')")
    store = await opened(postgres_url)
    try:
        assert await admin.fetchval("SELECT version FROM pulseboard_schema") == 2
        assert await store.between(0, 10) == [Row(1, "cpu", '{"host":"a"}', 10.0, 1.0), Row(2, "mem", "", 11.0, 2.0)]
        assert (store.database_id, await store.resume_floor(), await store.last_id()) == ("beef4567", 1, 2)
        key = Idempotency("k", "digest")
        commit = await store.insert([Point("cpu", 12.0, 3.0, '{"host":"a"}')], idempotency=key)
        again = await store.insert([Point("cpu", 12.0, 3.0, '{"host":"a"}')], idempotency=key)
        assert (commit.first, again.first, again.replayed) == (3, 3, True)
        assert await admin.fetchval("SELECT count(*) FROM series") == 2
    finally:
        await store.close()


async def test_a_database_from_a_newer_pulseboard_is_refused(postgres_url: str, admin: asyncpg.Connection) -> None:
    """A schema version this code does not know is not touched."""
    await admin.execute(
        "CREATE TABLE pulseboard_schema (version integer NOT NULL); INSERT INTO pulseboard_schema VALUES (3)"
    )
    with pytest.raises(StorageError, match="version 3"):
        await opened(postgres_url)
    assert await admin.fetchval("SELECT to_regclass('points')") is None


async def test_hosts_starting_at_once_create_the_schema_once(postgres_url: str) -> None:
    """The upgrade runs under an advisory lock: the others wait, then find it done."""
    stores = [PostgresStore(postgres_url) for _ in range(3)]
    await asyncio.gather(*(store.open() for store in stores))
    try:
        assert len({store.database_id for store in stores}) == 1
    finally:
        for store in stores:
            await store.close()


async def test_two_hosts_writing_at_once_get_distinct_contiguous_ids(postgres_url: str) -> None:
    """Two writers on one database: every id once, each commit's ids its own rows, no gaps."""
    hosts = [await opened(postgres_url), await opened(postgres_url)]
    try:
        commits = await asyncio.gather(*(hosts[i % 2].insert(points(f"s{i % 5}", 7, start=i)) for i in range(40)))
        ranges = sorted((commit.first, commit.last) for commit in commits)
        assert ranges == [(1 + 7 * i, 7 * (i + 1)) for i in range(40)]
        stored = await hosts[0].between(0, 1000)
        assert stored == sorted((row for commit in commits for row in commit.rows), key=lambda row: row.id)
        assert await hosts[1].last_id() == 280
    finally:
        for host in hosts:
            await host.close()


async def test_the_series_limit_holds_across_hosts(postgres_url: str) -> None:
    """MAX_SERIES is counted under the series lock: two hosts cannot together pass it."""
    a = await opened(postgres_url, max_series=3)
    b = await opened(postgres_url, max_series=3)
    try:
        await a.insert(points("s0") + points("s1"))
        with pytest.raises(ValueError, match="2 new series, and 2 of the 3"):
            await b.insert(points("s2") + points("s3"))
        await b.insert(points("s2") + points("s0"))
        with pytest.raises(ValueError, match="3 of the 3"):
            await a.insert(points("s4"))
        assert await a.last_id() == 4
    finally:
        await a.close()
        await b.close()


async def test_a_batch_waiting_past_its_deadline_for_another_hosts_ids_fails_unwritten(
    postgres_url: str, admin: asyncpg.Connection
) -> None:
    """Another host holds the id counter (a slow transaction): a 503 within the deadline, then writes resume."""
    store = await opened(postgres_url, write_timeout=0.5)
    try:
        async with admin.transaction():
            await admin.execute("SELECT last FROM event_ids FOR UPDATE")
            with pytest.raises(StorageError, match="not written within the 0.5 s write deadline"):
                await store.insert(points("late"))
        commit = await store.insert(points("next"))
        assert (commit.first, [row.series for row in await store.between(0, 10)]) == (1, ["next"])
    finally:
        await store.close()


async def test_a_batch_whose_producer_hung_up_while_ids_were_held_is_never_written(
    postgres_url: str, admin: asyncpg.Connection
) -> None:
    """Cancelled while the writer waited for the id counter: dropped, not stored after its producer gave up."""
    store = await opened(postgres_url, write_timeout=30.0)
    try:
        async with admin.transaction():
            await admin.execute("SELECT last FROM event_ids FOR UPDATE")
            producer = asyncio.create_task(produce(store, points("gone")))
            waiting = (
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            await eventually(lambda: admin_count(postgres_url, waiting), what="the writer to wait for the lock")
            producer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await producer
        await store._writer._jobs.join()
        assert await store.last_id() == 0
        assert (await store.insert(points("kept"))).first == 1
    finally:
        await store.close()


async def produce(store: PostgresStore, batch: list[Point]) -> object:
    """Insert as a request does: the task is the batch's producer."""
    return await store.insert(batch, producer=asyncio.current_task())


async def admin_count(url: str, sql: str) -> int:
    db = await asyncpg.connect(url)
    try:
        return await db.fetchval(sql)
    finally:
        await db.close()


async def test_postgresql_going_away_is_a_storage_error_and_nothing_acknowledged_is_lost(postgres_url: str) -> None:
    """Down: writes, reads and the ping raise StorageError; back: writes resume, ids go on, acknowledged rows stay."""
    port = int(postgres_url.rsplit(":", 1)[1].split("/")[0])
    proxy = CuttingProxy(port)
    url = database_url(postgres_url.rsplit("/", 1)[1], f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres")
    store = await opened(url, write_timeout=2.0)
    try:
        acknowledged = await store.insert(points("before", 3))
        proxy.close()  # refused, and every open connection reset: a server that crashed
        for call in (store.insert(points("during")), store.between(0, 10), store.last_id(), store.ping()):
            with pytest.raises(StorageError, match="PostgreSQL"):
                await call
        proxy = CuttingProxy(port, port=proxy.port)
        after = await eventually(lambda: insert_or_none(store, points("after")), what="writes to resume")
        assert (acknowledged.first, acknowledged.last, after.first) == (1, 3, 4)
        assert [row.series for row in await store.between(0, 10)] == ["before"] * 3 + ["after"]
    finally:
        await store.close()
        proxy.close()


async def insert_or_none(store: PostgresStore, batch: list[Point]) -> object:
    try:
        return await store.insert(batch)
    except StorageError:
        return None
