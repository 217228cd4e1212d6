"""The stores' contract (SQLite and PostgreSQL): ids, series as name + labels, windows by time, retention,
idempotency; and the SQLite file's own: upgrade, locks, failures."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from live.model import Idempotency, InvalidInput, Point, Row
from live.store import StorageError, Store, store_from_url
from live.store.postgres import PostgresStore
from live.store.sqlite import SQLiteStore

HOST_A = '{"host":"a"}'
HOST_B = '{"host":"b"}'


OpenStore = Callable[..., Awaitable[Store]]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """Open a store of the backend the test runs on, at one place per test: a second call opens the same data."""
    if request.param == "sqlite":
        location = str(tmp_path / "nested" / "dir" / "store.sqlite3")
        options = {"write_timeout": 0.05}
    else:
        location = request.getfixturevalue("postgres_url")
        options = {}  # a deadline of 50 ms is too short for a socket's round trips on a busy machine

    async def opened(**overrides: object) -> Store:
        store = store_from_url(location, **{**options, **overrides})
        await store.open()
        return store

    return opened


@pytest.fixture
async def store(open_store: OpenStore) -> AsyncIterator[Store]:
    """An open store of each backend: the tests taking it are the Store contract."""
    store = await open_store()
    yield store
    await store.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """An open SQLite store, for what only a file has."""
    store = SQLiteStore(str(tmp_path / "nested" / "dir" / "store.sqlite3"), write_timeout=0.05)
    await store.open()
    yield store
    await store.close()


def points(series: str, count: int, start: float = 1000.0, labels: str = "") -> list[Point]:
    return [Point(series, start + i, float(i), labels) for i in range(count)]


def ids(rows: list[Row]) -> list[int]:
    return [row.id for row in rows]


async def test_first_run_creates_the_file_in_wal_mode(tmp_path: Path, sqlite_store: SQLiteStore) -> None:
    """The database and its folders are created; WAL is on; the schema is version 3."""
    store = sqlite_store
    assert (tmp_path / "nested" / "dir" / "store.sqlite3").exists()
    assert await store._fetch("PRAGMA journal_mode") == [("wal",)]
    assert await store._fetch("PRAGMA user_version") == [(3,)]
    await store.ping()


async def test_ids_are_contiguous_and_monotonic(store: Store) -> None:
    """Each batch gets the next run of ids; its rows come back in order."""
    first = await store.insert(points("a", 3))
    second = await store.insert(points("b", 2))
    assert (first.first, first.last, second.first, second.last) == (1, 3, 4, 5)
    assert ids(await store.between(0, 5)) == [1, 2, 3, 4, 5]
    assert ids(await store.between(2, 4)) == [3, 4]
    assert await store.last_id() == 5


async def test_concurrent_batches_share_a_transaction_but_keep_their_ids(store: Store) -> None:
    """Group commit: many concurrent inserts, each answered with its own contiguous ids."""
    commits = await asyncio.gather(*(store.insert(points(f"s{i}", 10)) for i in range(20)))
    ranges = sorted((c.first, c.last) for c in commits)
    assert ranges == [(1 + 10 * i, 10 * (i + 1)) for i in range(20)]
    for commit in commits:
        assert {row.series for row in commit.rows} == {commit.rows[0].series}


async def test_a_batch_longer_than_one_insert_is_stored_whole_in_order(store: Store) -> None:
    """A batch split over several INSERT statements keeps its order, ids, values and labels."""
    if isinstance(store, SQLiteStore):
        store._writer._rows_per_insert = 3  # as a build with few bound variables would have it
    batch = points("a", 8, labels=HOST_A)
    commit = await store.insert(batch)
    stored = await store.between(0, 100)
    assert (commit.first, commit.last) == (1, 8)
    assert stored == list(commit.rows)
    assert [(r.series, r.labels, r.ts, r.value) for r in stored] == [(p.series, p.labels, p.ts, p.value) for p in batch]


async def test_a_failing_batch_stores_nothing_and_spares_the_others(store: Store) -> None:
    """All or nothing per batch: a row SQLite refuses, or a malformed point, sinks its batch only."""
    bad = [Point("a", 1.0, 1.0), Point("a", 2.0, None)]  # type: ignore[arg-type]
    malformed = [Point("a", 1.0, 1.0), ("a", 2.0)]  # type: ignore[list-item]
    results = await asyncio.gather(
        store.insert(points("ok", 2)), store.insert(bad), store.insert(malformed), return_exceptions=True
    )
    assert results[0].last - results[0].first == 1
    refused = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
    assert isinstance(results[1], StorageError) and isinstance(results[1].__cause__, refused)
    assert isinstance(results[2], StorageError)
    assert {row.series for row in await store.between(0, 100)} == {"ok"}


async def test_two_label_sets_of_one_name_are_two_series(store: Store) -> None:
    """A series is its name plus its labels: each label set has its own rows and window."""
    await store.insert(points("cpu", 3, labels=HOST_A) + points("cpu", 2, labels=HOST_B) + points("cpu", 1))
    windows = await store.windows(upto=6, limit=2)
    assert list(windows) == ['cpu{"host":"a"}', 'cpu{"host":"b"}', "cpu"]
    assert ids(windows['cpu{"host":"a"}']) == [2, 3]
    assert ids(windows['cpu{"host":"b"}']) == [4, 5]
    assert windows["cpu"] == [Row(6, "cpu", "", 1000.0, 0.0)]
    assert {(row.series, row.labels) for row in windows['cpu{"host":"b"}']} == {("cpu", HOST_B)}
    # A second batch finds the same three series (the cache and the table agree).
    await store.insert(points("cpu", 1, labels=HOST_B))
    assert await store._fetch("SELECT COUNT(*) FROM series") == [(3,)]


async def test_windows_of_some_series_read_only_those(store: Store) -> None:
    """A page's windows: the series named by key, in the order they were made; the others are not read."""
    await store.insert(points("cpu", 3, labels=HOST_A) + points("mem", 2) + points("cpu", 2, labels=HOST_B))
    assert await store.series() == [("cpu", HOST_A), ("mem", ""), ("cpu", HOST_B)]
    keys = ['cpu{"host":"b"}', "mem", "gone"]
    windows = await store.windows(upto=7, limit=2, keys=keys)
    assert list(windows) == ["mem", 'cpu{"host":"b"}']
    assert ids(windows["mem"]) == [4, 5] and ids(windows['cpu{"host":"b"}']) == [6, 7]
    assert await store.windows(upto=7, limit=2, keys=[]) == {}
    assert list(await store.windows(upto=5, limit=2, keys=keys)) == ["mem"]  # none of b's points by id 5


async def test_window_is_the_newest_points_by_time_with_late_points_in_place(store: Store) -> None:
    """A late point lands where its time puts it; the window is the newest N by (ts, id), ascending."""
    await store.insert([Point("a", ts, ts) for ts in (1.0, 2.0, 3.0, 4.0, 5.0)])  # ids 1-5
    await store.insert([Point("a", 2.5, 2.5), Point("a", 4.0, 40.0)])  # ids 6, 7: late; 7 ties with 4
    await store.insert(points("b", 1))  # id 8
    window = (await store.windows(upto=7, limit=5))["a"]
    assert [(row.id, row.ts) for row in window] == [(6, 2.5), (3, 3.0), (4, 4.0), (7, 4.0), (5, 5.0)]
    assert ids((await store.windows(upto=7, limit=3))["a"]) == [4, 7, 5]
    # Only ids up to `upto` count: the screen at cursor 5 had not seen the late points.
    assert ids((await store.windows(upto=5, limit=3))["a"]) == [3, 4, 5]
    assert "b" not in await store.windows(upto=7, limit=3)


async def late_history(store: Store) -> None:
    """Store two series whose points arrive out of time order (ids 1 to 11)."""
    for series, ts in [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("a", 10)]:
        await store.insert([Point(series, float(ts), float(ts))])
    for series, ts in [("a", 1.5), ("b", 3), ("a", 4), ("b", 4), ("a", 5)]:
        await store.insert([Point(series, float(ts), float(ts))])


@pytest.mark.parametrize(
    ("older_than", "deleted", "kept", "floor"),
    [
        # a keeps ts 10 (id 6) and 5 (id 11): its 2nd kept id is 11; b keeps ids 8, 10: 10.
        (100.0, 7, [6, 8, 10, 11], 11),
        # Newer than the cutoff stays too: a keeps ids 6, 9, 11 (floor 9), b ids 8, 10 (floor 10).
        (3.5, 6, [6, 8, 9, 10, 11], 10),
    ],
)
async def test_retention_keeps_each_series_newest_by_time_and_sets_the_floor(
    store: Store, older_than: float, deleted: int, kept: list[int], floor: int
) -> None:
    """Purge keeps each series' newest N by (ts, id); every cursor from the floor on still has its windows."""
    await late_history(store)
    last = await store.last_id()
    before = [await store.windows(cursor, 2) for cursor in range(last + 1)]
    assert await store.purge(older_than=older_than, keep=2) == deleted
    assert ids(await store.between(0, last)) == kept
    assert await store.resume_floor() == floor
    after = [await store.windows(cursor, 2) for cursor in range(last + 1)]
    assert all(before[cursor] == after[cursor] for cursor in range(floor, last + 1))
    # The cursor just below the floor is one whose window lost a deleted point.
    assert before[floor - 1] != after[floor - 1]


async def test_the_resume_floor_never_goes_down(store: Store) -> None:
    """A later series' lower floor does not lower the stored one (meta holds it as text)."""
    await late_history(store)
    await store.purge(older_than=100.0, keep=2)
    assert await store.resume_floor() == 11  # a's floor; b's (10) came after it
    await store.insert(points("c", 3, start=1.0))  # ids 12-14
    await store.purge(older_than=100.0, keep=2)
    assert await store.resume_floor() == 14


async def test_retention_keeps_at_least_one_point(store: Store) -> None:
    """keep < 1 would leave screens with nothing to draw: refused."""
    with pytest.raises(ValueError, match="keep"):
        await store.purge(older_than=1e9, keep=0)


async def test_close_waits_for_queued_writes(open_store: OpenStore) -> None:
    """Nothing acknowledged or queued is lost at close."""
    store = await open_store(write_timeout=5.0)
    # gather starts the insert first (asyncio runs tasks in creation order), so close meets it queued.
    commit, _ = await asyncio.gather(store.insert(points("a", 100)), store.close())
    assert commit.last == 100


# live/store.py's schema before series had labels (git history: version 0), copied as it was.
SCHEMA_V0 = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL REFERENCES series(id),
    ts REAL NOT NULL,
    value REAL NOT NULL,
    labels TEXT
);
CREATE INDEX IF NOT EXISTS points_by_series ON points (series_id, id);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
V0_POINTS = [  # id, series id, ts, value, labels
    (1, 1, 10.0, 1.0, None),
    (2, 1, 11.0, 2.0, HOST_A),
    (3, 2, 12.0, 3.0, None),
    (4, 1, 13.0, 4.0, HOST_B),
    (5, 1, 14.0, 5.0, HOST_A),
    (6, 3, 15.0, 6.0, HOST_A),
    (7, 1, 16.0, 7.0, None),
]


def write_v0(path: Path) -> None:
    """Write a file as the Pulseboard before labelled series did; its newest id (8) was deleted."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA_V0)
        db.executemany("INSERT INTO series (id, name) VALUES (?, ?)", [(1, "cpu"), (2, "mem"), (3, "disk")])
        db.executemany("INSERT INTO points VALUES (?, ?, ?, ?, ?)", [*V0_POINTS, (8, 2, 17.0, 8.0, None)])
        db.execute("DELETE FROM points WHERE id = 8")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("database_id", "cafe0123"), ("resume_floor", "3")])


async def test_a_version_0_file_is_upgraded_keeping_ids_values_and_labels(tmp_path: Path) -> None:
    """Each (name, labels) of the old points becomes a series; event ids, values, meta stay."""
    path = tmp_path / "old.sqlite3"
    write_v0(path)
    store = SQLiteStore(str(path))
    await store.open()
    try:
        names = {1: "cpu", 2: "mem", 3: "disk"}
        expected = [Row(i, names[s], labels or "", ts, value) for i, s, ts, value, labels in V0_POINTS]
        assert await store.between(0, 100) == expected
        assert (store.database_id, await store.last_id(), await store.resume_floor()) == ("cafe0123", 8, 3)
        windows = await store.windows(upto=100, limit=10)
        assert sorted(windows) == ["cpu", 'cpu{"host":"a"}', 'cpu{"host":"b"}', 'disk{"host":"a"}', "mem"]
        assert ids(windows['cpu{"host":"a"}']) == [2, 5]
        # "disk" only ever had labels: no label-less "disk" series appears.
        assert await store._fetch("SELECT COUNT(*) FROM series") == [(5,)]
        commit = await store.insert([Point("cpu", 20.0, 9.0, HOST_A), Point("mem", 20.0, 9.0)])
        assert (commit.first, commit.last) == (9, 10)
        assert await store._fetch("SELECT COUNT(*) FROM series") == [(5,)]  # the upgraded series, found again
        assert await store._fetch("PRAGMA user_version") == [(3,)]
    finally:
        await store.close()


async def test_workers_opening_one_old_file_at_once_upgrade_it_once(tmp_path: Path) -> None:
    """The version is checked inside the transaction: the second opener finds the upgrade done."""
    path = tmp_path / "old.sqlite3"
    write_v0(path)
    stores = [SQLiteStore(str(path)) for _ in range(3)]
    await asyncio.gather(*(store.open() for store in stores))
    try:
        assert {store.database_id for store in stores} == {"cafe0123"}
        assert len(await stores[2].between(0, 100)) == len(V0_POINTS)
    finally:
        for store in stores:
            await store.close()


async def test_a_file_from_a_newer_pulseboard_is_refused(tmp_path: Path) -> None:
    """A schema version this code does not know is not touched."""
    path = tmp_path / "new.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 4")
    store = SQLiteStore(str(path))
    with pytest.raises(StorageError, match="version 4"):
        await store.open()  # and closes what it opened


async def test_a_locked_file_fails_the_batch_and_the_writer_goes_on(sqlite_store: SQLiteStore) -> None:
    """Locked longer than the busy timeout: StorageError, nothing stored; later batches are stored."""
    store = sqlite_store
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        results = await asyncio.gather(*(store.insert(points("a", 2)) for _ in range(3)), return_exceptions=True)
        other.execute("ROLLBACK")
    assert all(isinstance(r, StorageError) and "locked" in str(r) for r in results), results
    assert isinstance(results[0].__cause__, sqlite3.OperationalError)
    commit = await store.insert(points("a", 2))
    assert (commit.first, commit.last) == (1, 2)


async def test_a_table_gone_under_the_store_is_a_storage_error(sqlite_store: SQLiteStore) -> None:
    """No sqlite3 error leaves the store: writes, reads and the ping all raise StorageError."""
    store = sqlite_store
    await store.insert(points("a", 2))
    with closing(sqlite3.connect(store.path)) as other, other:
        other.execute("DROP TABLE points")
        other.execute("DROP TABLE meta")
    for call in (
        store.insert(points("a", 1)),
        store.between(0, 10),
        store.windows(10, 5),
        store.purge(1e9, 1),
        store.resume_floor(),
        store.ping(),
    ):
        with pytest.raises(StorageError):
            await call


async def test_the_writer_survives_an_unexpected_error(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug met while writing fails that group's batches, is logged with its traceback, and the writer goes on."""
    write = store._writer._write

    async def broken(*args: object) -> object:
        monkeypatch.setattr(store._writer, "_write", write)
        raise RuntimeError("a bug")

    monkeypatch.setattr(store._writer, "_write", broken)
    async with asyncio.timeout(10):  # the old writer died here, and every insert after it waited forever
        with pytest.raises(StorageError, match="a bug"):
            await store.insert(points("a", 1))
        commit = await store.insert(points("a", 1))
    assert commit.first == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///var/lib/pulseboard/points.sqlite3", "/var/lib/pulseboard/points.sqlite3"),
        ("sqlite:instance/points.sqlite3", "instance/points.sqlite3"),
        ("instance/points.sqlite3", "instance/points.sqlite3"),
        ("/abs/points.sqlite3", "/abs/points.sqlite3"),
        (":memory:", ":memory:"),
        ("sqlite::memory:", ":memory:"),
    ],
)
def test_store_from_url_picks_sqlite_and_its_path(url: str, path: str) -> None:
    """A sqlite: URL or a plain path is a SQLite file."""
    store = store_from_url(url)
    assert isinstance(store, SQLiteStore)
    assert store.path == path


@pytest.mark.parametrize("url", ["postgresql://pulse@db/pulse", "postgres://pulse@db:5433/pulse", "POSTGRESQL://db/p"])
def test_store_from_url_picks_postgresql(url: str) -> None:
    """A postgresql: or postgres: URL is a PostgreSQL database (nothing is connected until open)."""
    store = store_from_url(url, write_timeout=2.0, max_series=10)
    assert isinstance(store, PostgresStore)
    assert (store.url, store.write_timeout, store._writer.max_series) == (url, 2.0, 10)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/pulse", "mysql://db/pulse"),
        ("postgresql:pulse", "postgresql://user@host:port/database"),
        ("sqlite://host/points.sqlite3", "sqlite://host/points.sqlite3"),
        ("", "names no file"),
    ],
)
def test_store_from_url_refuses_what_it_cannot_open(url: str, message: str) -> None:
    """Other schemes fail at start-up, naming the URL."""
    with pytest.raises(ValueError, match=message):
        store_from_url(url)


async def test_a_memory_store_works(tmp_path: Path) -> None:
    """:memory: stores and reads back (one process, nothing kept)."""
    store = store_from_url(":memory:")
    await store.open()
    try:
        assert (await store.insert(points("a", 2))).last == 2
    finally:
        await store.close()


async def test_a_full_disk_is_named_even_when_the_rollback_fails(
    sqlite_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The error that ended the transaction is the one raised; a failing ROLLBACK is only a note on it (issue 13)."""
    store = sqlite_store
    writer = store._writer
    assert writer is not None
    await writer.db.execute("PRAGMA max_page_count = 40")  # a file this small is a full disk to SQLite
    execute = writer.db.execute

    def rollback_fails(sql: str, *args: object) -> object:
        if sql == "ROLLBACK":
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")
        return execute(sql, *args)

    monkeypatch.setattr(writer.db, "execute", rollback_fails)
    with pytest.raises(StorageError, match="database or disk is full") as raised:
        await store.insert(points("a", 20_000))
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    assert "cannot rollback" in "".join(getattr(raised.value.__cause__, "__notes__", []))
    assert "cannot rollback" in caplog.text


KEY = Idempotency("batch-7", "digest-of-its-body")


async def test_a_batch_with_an_idempotency_key_is_stored_once(open_store: OpenStore) -> None:
    """A retry, sequential or concurrent, gets the first commit's ids, replayed, with no rows; after a restart too."""
    store = await open_store(write_timeout=5.0)
    try:
        first = await store.insert(points("a", 3), idempotency=KEY)
        again = await store.insert(points("a", 3), idempotency=KEY)
        assert (first.first, first.last, first.replayed, len(first.rows)) == (1, 3, False, 3)
        assert (again.first, again.last, again.replayed, again.rows) == (1, 3, True, ())
        # Two tries at once share one transaction: the second finds the first's key.
        other = Idempotency("batch-8", "x")
        together = await asyncio.gather(*(store.insert(points("b", 2), idempotency=other) for _ in range(2)))
        assert [(c.first, c.last, c.replayed) for c in together] == [(4, 5, False), (4, 5, True)]
    finally:
        await store.close()
    store = await open_store(write_timeout=5.0)
    try:
        assert (await store.insert(points("a", 3), idempotency=KEY)).replayed
        assert await store.last_id() == 5
    finally:
        await store.close()


async def test_a_key_reused_for_another_batch_is_refused(store: Store) -> None:
    """The same key with another body's digest is a producer's bug: 422 naming the header, nothing stored."""
    await store.insert(points("a", 1), idempotency=KEY)
    with pytest.raises(InvalidInput, match="'batch-7' was used for another batch") as refused:
        await store.insert(points("a", 2), idempotency=KEY._replace(fingerprint="another"))
    assert (refused.value.status, refused.value.field) == (422, "Idempotency-Key")
    assert await store.last_id() == 1


async def test_idempotency_keys_expire_with_retention(store: Store) -> None:
    """Retention deletes keys older than it: the same key later is a new batch."""
    await store.insert(points("a", 1), idempotency=KEY)
    await store.purge(older_than=time.time() - 60, keep=1)
    assert (await store.insert(points("a", 1), idempotency=KEY)).replayed
    await store.purge(older_than=time.time() + 1, keep=1)
    commit = await store.insert(points("a", 1), idempotency=KEY)
    assert (commit.first, commit.replayed) == (2, False)


# The version 1 schema (git history: before idempotency keys), copied as it was.
SCHEMA_V1 = """
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '',
    UNIQUE (name, labels)
);
CREATE TABLE points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL REFERENCES series(id),
    ts REAL NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX points_by_series_ts ON points (series_id, ts);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;
"""


async def test_a_version_1_file_gets_idempotency_keys_keeping_everything(tmp_path: Path) -> None:
    """Version 1 to 2 adds the keys' table; series, points, ids and meta stay as they were."""
    path = tmp_path / "v1.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA_V1)
        db.executemany("INSERT INTO series (id, name, labels) VALUES (?, ?, ?)", [(1, "cpu", HOST_A), (2, "mem", "")])
        db.executemany("INSERT INTO points VALUES (?, ?, ?, ?)", [(1, 1, 10.0, 1.0), (2, 2, 11.0, 2.0)])
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("database_id", "beef4567"), ("resume_floor", "1")])
    store = SQLiteStore(str(path))
    await store.open()
    try:
        assert await store._fetch("PRAGMA user_version") == [(3,)]
        assert await store.between(0, 10) == [Row(1, "cpu", HOST_A, 10.0, 1.0), Row(2, "mem", "", 11.0, 2.0)]
        assert (store.database_id, await store.resume_floor()) == ("beef4567", 1)
        commit = await store.insert([Point("cpu", 12.0, 3.0, HOST_A)], idempotency=KEY)
        assert (commit.first, (await store.insert([Point("cpu", 12.0, 3.0, HOST_A)], idempotency=KEY)).first) == (3, 3)
        assert await store._fetch("SELECT COUNT(*) FROM series") == [(2,)]
    finally:
        await store.close()


async def test_history_and_export_read_a_time_range(store: Store) -> None:
    """Both backends: a range's points per series (unknown keys left out), its ends, and an export in chunks."""
    await store.insert([Point("a", 1000.0 + i, float(i)) for i in range(100)])
    await store.insert([Point("b", 1000.0 + i, -float(i)) for i in range(10)])
    found = await store.history(["a", "gone"], 1010.0, 1020.0, resolution=1.0)
    assert list(found) == ["a"]
    ts, values = found["a"]
    assert list(ts) == [1010.0 + i for i in range(11)] and list(values) == [float(10 + i) for i in range(11)]
    # A range's first point, and the last at or before its end, even one older than its start.
    assert await store.ends(["a", "b", "gone"], 1010.5, 1020.5) == {"a": ((1011.0, 11.0), (1020.0, 20.0)),
                                                                   "b": (None, (1009.0, -9.0))}
    assert await store.ends(["a"], 900.0, 950.0) == {"a": (None, None)}
    chunks = [chunk async for chunk in store.export(["b", "a"], 1005.0, 1007.0, chunk=2)]
    assert [len(chunk) for chunk in chunks] == [2, 1, 2, 1]
    assert [(row.series, row.ts, row.value) for chunk in chunks for row in chunk] == [
        ("b", 1005.0, -5.0), ("b", 1006.0, -6.0), ("b", 1007.0, -7.0),
        ("a", 1005.0, 5.0), ("a", 1006.0, 6.0), ("a", 1007.0, 7.0),
    ]
