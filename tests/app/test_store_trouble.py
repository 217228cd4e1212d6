"""The store when its file is in trouble: locked by another process past the write deadline, a producer gone,
a full queue, a ROLLBACK that fails inside a transaction (issue 13, findings 5 and 12)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client

from app import create_app
from live import get_live
from live.model import Point
from live.store import StorageError
from live.store.sqlite import SQLiteStore
from tests.support.waiting import eventually


def points(series: str, count: int = 1) -> list[Point]:
    return [Point(series, 1000.0 + i, float(i)) for i in range(count)]


@contextmanager
def write_lock(path: str) -> Iterator[sqlite3.Connection]:
    """Hold the file's write lock from another connection, as another process would, until the block ends."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


async def opened(path: Path, **options: Any) -> SQLiteStore:
    store = SQLiteStore(str(path), **options)
    await store.open()
    return store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = await opened(tmp_path / "store.sqlite3", write_timeout=0.3)
    yield store
    await store.close()


def count_begins(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return a list that grows by one each time the writer starts a write transaction."""
    begins: list[str] = []
    execute = store._writer.db.execute

    def counted(sql: str, *args: Any) -> Any:
        if sql == "BEGIN IMMEDIATE":
            begins.append(sql)
        return execute(sql, *args)

    monkeypatch.setattr(store._writer.db, "execute", counted)
    return begins


async def stored_series(store: SQLiteStore) -> list[str]:
    return [row.series for row in await store.between(0, 10**9)]


async def test_a_lock_past_the_deadline_fails_every_waiting_batch_at_once(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches queued behind a batch waiting for the lock fail with it: one wait for all, not one each."""
    begins = count_begins(store, monkeypatch)
    with write_lock(store.path):
        first = asyncio.ensure_future(store.insert(points("first")))
        await eventually(lambda: begins, what="the writer to wait for the lock")
        later = [asyncio.ensure_future(store.insert(points(f"later{i}"))) for i in range(3)]
        await eventually(lambda: store._writer._jobs.qsize() == 3, what="the later batches to queue")
        results = await asyncio.gather(first, *later, return_exceptions=True)
    assert len(begins) == 1  # the old writer waited once more for the later ones, which then failed too
    assert all(isinstance(result, StorageError) for result in results), results
    assert all("database is locked" in str(result) and "0.3 s" in str(result) for result in results), results
    assert isinstance(results[1].__cause__, sqlite3.OperationalError)
    assert (await store.insert(points("after"))).first == 1  # the lock gone, writes go on
    assert store._writer.locked_since is None


async def test_a_full_queue_refuses_a_batch_at_once(tmp_path: Path) -> None:
    """At most max_queued_points wait (one batch of any size when none does); past that, StorageError at once."""
    store = await opened(tmp_path / "store.sqlite3", write_timeout=10, max_queued_points=3)
    try:
        with write_lock(store.path):
            first = asyncio.ensure_future(store.insert(points("first", 5)))  # bigger than the bound: alone, it fits
            await eventually(lambda: store._writer._jobs.empty() and store._writer.lock.locked())
            queued = asyncio.ensure_future(store.insert(points("queued", 3)))
            await eventually(lambda: store._writer._jobs.qsize() == 1)
            with pytest.raises(StorageError, match=r"the write queue is full \(3 points wait to be written\)"):
                await store.insert(points("refused"))
        await asyncio.gather(first, queued)
        assert await stored_series(store) == ["first"] * 5 + ["queued"] * 3
    finally:
        await store.close()


async def test_a_rollback_that_fails_inside_a_transaction_gets_a_new_connection(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ROLLBACK that fails and leaves the transaction open would refuse every later BEGIN: the writer reconnects."""
    writer = store._writer
    stuck = writer.db
    execute = stuck.execute

    def failing(sql: str, *args: Any) -> Any:
        if sql == "ROLLBACK":
            raise sqlite3.OperationalError("disk I/O error")  # and the transaction stays open
        if sql.startswith("INSERT INTO points"):
            raise sqlite3.OperationalError("database or disk is full")
        return execute(sql, *args)

    monkeypatch.setattr(stuck, "execute", failing)
    with pytest.raises(StorageError, match="database or disk is full"):
        await store.insert(points("a"))
    assert writer.db is not stuck
    commit = await store.insert(points("b"))  # before: "cannot start a transaction within a transaction"
    assert await stored_series(store) == ["b"] and commit.first == commit.last


async def test_readyz_says_not_ready_while_writes_fail_on_a_lock(tmp_path: Path) -> None:
    """A lock past the deadline: POSTs are 503 with Retry-After, /readyz is 503 naming it, until it is let go."""
    dash_app = create_app({"DATABASE": str(tmp_path / "app.sqlite3"), "FEED": False, "WRITE_TIMEOUT_SECONDS": 0.2})
    async with dash_app.server.test_app() as test_app:
        client = test_app.test_client()
        assert (await client.get("/readyz")).status_code == 200
        with write_lock(str(tmp_path / "app.sqlite3")):
            response = await client.post("/api/points", json={"series": "cpu", "value": 1})
            assert response.status_code == 503 and response.headers["Retry-After"] == "1"
            assert "database is locked" in (await response.get_json())["error"]
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert "another connection has held the database's write lock" in (await ready.get_json())["error"]
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.post("/api/points", json={"series": "cpu", "value": 1})).status_code == 200


async def test_a_batch_whose_producer_hung_up_is_never_written(app: Dash, client: Client) -> None:
    """Cancelled while its batch waits for the writer: the batch is dropped, not stored after its producer gave up."""
    async with app.server.app_context():
        live = get_live()
        writer = live.store._writer
        with write_lock(live.store.path):
            kept = asyncio.create_task(live.ingest([{"series": "kept", "value": 1.0}]))
            await eventually(lambda: writer._jobs.empty() and writer.lock.locked(), what="the writer to wait")
            gone = asyncio.create_task(live.ingest([{"series": "gone", "value": 1.0}]))
            await eventually(lambda: writer._jobs.qsize() == 1, what="the second batch to queue")
            gone.cancel()
        await kept
        await writer._jobs.join()
        assert [row.series for row in await live.store.between(0, 100)] == ["kept"]
        with pytest.raises(asyncio.CancelledError):
            await gone


async def test_a_batch_not_begun_within_the_deadline_fails_unwritten(store: SQLiteStore) -> None:
    """Queued behind a transaction that outlasts its deadline (a slow disk, retention): a 503, not a late write."""
    writer = store._writer
    async with writer.lock:  # another transaction on the writing connection, taking its time
        first = asyncio.ensure_future(store.insert(points("first")))
        # Taken: out of the queue, not yet done with.
        await eventually(lambda: writer._jobs.empty() and writer._jobs._unfinished_tasks == 1, what="the writer")
        late = asyncio.ensure_future(store.insert(points("late")))
        await eventually(lambda: writer._jobs.qsize() == 1, what="the second batch to queue")
        deadline = writer._jobs._queue[0].deadline
        await eventually(lambda: time.monotonic() > deadline, what="the second batch's deadline to pass")
    await first  # begun before its deadline passed: written
    with pytest.raises(StorageError, match="not written within the 0.3 s write deadline"):
        await late
    assert await stored_series(store) == ["first"]


async def test_a_deleted_file_stops_writes_and_readiness(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    """Unlinked under the store: SQLite would go on writing to a file gone at the next start (issue 13, finding 6)."""
    await store.insert(points("before"))
    Path(store.path).unlink()
    for call in (store.insert(points("after")), store.ping()):
        with pytest.raises(StorageError, match="was deleted or moved away while Pulseboard had it open"):
            await call
    assert [r.levelname for r in caplog.records if "was deleted" in r.getMessage()] == ["CRITICAL"]  # once
    assert not Path(store.path).exists()  # nothing checked creates a new file there


async def test_a_replaced_file_stops_writes_and_a_file_put_back_resumes_them(store: SQLiteStore) -> None:
    """Another file at the path (a restore over it, a deploy's copy) is not the one written; the opened one back is."""
    await store.insert(points("before"))
    path = Path(store.path)
    path.rename(path.with_name("moved.sqlite3"))
    restored = path.with_name("restored.sqlite3")  # made beside it, as a restore would, then moved over it
    with closing(sqlite3.connect(restored)) as other:
        other.execute("CREATE TABLE t (x)")
    restored.replace(path)
    with pytest.raises(StorageError, match=r"was replaced by another file \(inode \d+, opened \d+\)"):
        await store.insert(points("after"))
    with pytest.raises(StorageError, match="replaced"):
        await store.ping()
    path.with_name("moved.sqlite3").replace(path)
    await store.ping()
    assert (await store.insert(points("back"))).first == 2


async def test_a_batch_whose_producer_hung_up_while_waiting_for_the_lock_is_never_written(
    app: Dash, client: Client
) -> None:
    """Taken by the writer, waiting for another process's lock, its producer gone: dropped once the lock is had."""
    async with app.server.app_context():
        live = get_live()
        writer = live.store._writer
        with write_lock(live.store.path):
            gone = asyncio.create_task(live.ingest([{"series": "gone", "value": 1.0}]))
            await eventually(lambda: writer._jobs.empty() and writer.lock.locked(), what="the writer to wait")
            gone.cancel()
        await writer._jobs.join()
        assert await live.store.between(0, 100) == []
        assert (await live.push("after", 1.0)).first == 1
