"""Where points are kept: SQLite through aiosqlite, one writer task, event id = rowid."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, count, repeat
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from live.points import Point

MAX_ROWS_PER_INSERT = 5000
SCHEMA = """
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


class Row(NamedTuple):
    """A stored point as frames and figures need it (a NamedTuple, cheap to build, as Point)."""

    id: int
    series: str
    ts: float
    value: float


def rows(first: int, series: Iterable[str], ts: Iterable[float], values: Iterable[float]) -> tuple[Row, ...]:
    """Return the rows of points stored with ids from `first` on, from their columns."""
    # tuple.__new__ from C: a NamedTuple's own __new__ is a Python function, called per point.
    return tuple(map(tuple.__new__, repeat(Row), zip(count(first), series, ts, values)))


def rows_per_insert() -> int:
    """Return how many points one INSERT may carry: 4 bound values each, within this SQLite's limit."""
    with closing(sqlite3.connect(":memory:")) as db:  # the limit is the library's, the same for every file
        return min(MAX_ROWS_PER_INSERT, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // 4)


@lru_cache(maxsize=64)
def insert_sql(count: int) -> str:
    """Return an INSERT of `count` points as one statement.

    One statement, not executemany: sqlite3 lets go of the GIL for each step it runs, and
    executemany runs a step per row. While the event loop parsed the next batch, each of
    those steps waited to get the GIL back, and 5,000 rows took 200 to 340 ms instead of
    28 ms (BENCHMARKS.md, Ingest). One step inserts every row without the GIL.
    """
    return "INSERT INTO points (series_id, ts, value, labels) VALUES " + ",".join(["(?, ?, ?, ?)"] * count)


@dataclass(frozen=True, slots=True)
class Commit:
    """Points stored in one transaction: ids first..last, in order."""

    first: int
    last: int
    rows: tuple[Row, ...]


class Store:
    """The SQLite file: writes go through one task, reads through a second connection."""

    def __init__(self, path: str, *, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.database_id = ""
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._jobs: asyncio.Queue[tuple[list[Point], asyncio.Future[Commit]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._series_ids: dict[str, int] = {}
        self._rows_per_insert = rows_per_insert()
        # The writer connection runs one transaction at a time: ingest's and retention's.
        self._transaction = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        db = await aiosqlite.connect(self.path, isolation_level=None)
        await db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        return db

    async def open(self) -> None:
        """Create the file and schema if needed, and start the writer task."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        await self._writer.execute("PRAGMA journal_mode = WAL")
        # FULL: a 2xx survives a power cut too, not only a crash. Group commit keeps the
        # fsync per transaction, not per point.
        await self._writer.execute("PRAGMA synchronous = FULL")
        # One transaction, so several workers starting at once create the schema once.
        await self._writer.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
        await self._writer.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('database_id', ?)", (secrets.token_hex(8),)
        )
        self._reader = await self._connect()
        async with self._reader.execute("SELECT value FROM meta WHERE key = 'database_id'") as cursor:
            (self.database_id,) = await cursor.fetchone()
        self._task = asyncio.create_task(self._write_forever(), name="pulseboard-writer")

    async def close(self) -> None:
        """Finish queued writes, stop the writer and close both connections."""
        if self._task is not None:
            await self._jobs.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for db in (self._writer, self._reader):
            if db is not None:
                await db.close()

    async def insert(self, points: list[Point]) -> Commit:
        """Store the points in one transaction and return what was committed."""
        future: asyncio.Future[Commit] = asyncio.get_running_loop().create_future()
        self._jobs.put_nowait((points, future))
        # shield: a caller cancelled while waiting must not cancel the write for the others.
        return await asyncio.shield(future)

    async def _write_forever(self) -> None:
        while True:
            jobs = [await self._jobs.get()]
            # Group commit: batches that queued while the last transaction ran share the next one.
            while not self._jobs.empty() and len(jobs) < 64:
                jobs.append(self._jobs.get_nowait())
            try:
                await self._write_jobs(jobs)
            finally:
                for _ in jobs:
                    self._jobs.task_done()

    async def _write_jobs(self, jobs: list[tuple[list[Point], asyncio.Future[Commit]]]) -> None:
        try:
            async with self._transaction:
                commits = await self._write([points for points, _ in jobs])
        except sqlite3.Error as error:
            if len(jobs) > 1:
                # One bad batch must not fail the others that shared its transaction.
                for job in jobs:
                    await self._write_jobs([job])
                return
            if not jobs[0][1].done():
                jobs[0][1].set_exception(error)
            return
        for (_, future), commit in zip(jobs, commits, strict=True):
            if not future.done():
                future.set_result(commit)

    @asynccontextmanager
    async def _immediate(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a write transaction on the writer connection: commit, or roll back on any exit."""
        db = self._writer
        assert db is not None
        await db.execute("BEGIN IMMEDIATE")
        committed = False
        try:
            yield db
            await db.execute("COMMIT")
            committed = True
        finally:
            if not committed:
                await db.execute("ROLLBACK")

    async def _series_ids_for(self, db: aiosqlite.Connection, names: Iterable[str]) -> dict[str, int]:
        """Return the id of every name, creating series that are new (inside the transaction)."""
        ids = dict(self._series_ids)
        missing = sorted(set(names) - ids.keys())
        if missing:
            await db.executemany("INSERT OR IGNORE INTO series (name) VALUES (?)", [(n,) for n in missing])
            for name in missing:
                async with db.execute("SELECT id FROM series WHERE name = ?", (name,)) as cursor:
                    (ids[name],) = await cursor.fetchone()
        return ids

    async def _write(self, batches: list[list[Point]]) -> list[Commit]:
        columns = [tuple(zip(*batch, strict=True)) for batch in batches]  # (series, ts, value, labels) each
        async with self._immediate() as db:
            ids = await self._series_ids_for(db, {name for series, *_ in columns for name in series})
            commits = []
            for series, ts, values, labels in columns:
                flat = list(chain.from_iterable(zip(map(ids.__getitem__, series), ts, values, labels, strict=True)))
                for start in range(0, len(series), self._rows_per_insert):
                    size = min(self._rows_per_insert, len(series) - start)
                    cursor = await db.execute(insert_sql(size), flat[4 * start : 4 * (start + size)])
                # One writer holds the lock for the whole transaction, so ids are contiguous.
                last = cursor.lastrowid
                first = last - len(series) + 1
                commits.append(Commit(first, last, rows(first, series, ts, values)))
        self._series_ids = ids  # only once committed: a rolled-back series id does not exist
        return commits

    async def _fetch(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        db = self._reader
        assert db is not None
        # Fetch everything before returning: a cursor left open pins the WAL.
        async with db.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def last_id(self) -> int:
        """Return the newest event id, 0 for an empty database."""
        rows = await self._fetch("SELECT seq FROM sqlite_sequence WHERE name = 'points'")
        return rows[0][0] if rows else 0

    async def resume_floor(self) -> int:
        """Return the lowest cursor whose windows retention has left whole, 0 if it deleted nothing."""
        rows = await self._fetch("SELECT value FROM meta WHERE key = 'resume_floor'")
        return int(rows[0][0]) if rows else 0

    async def series_names(self) -> list[str]:
        """Return every series name, in the order they were first seen."""
        return [name for (name,) in await self._fetch("SELECT name FROM series ORDER BY id")]

    async def window(self, upto: int, limit: int) -> dict[str, list[Row]]:
        """Return, per series, its last `limit` points with id <= upto, oldest first."""
        result: dict[str, list[Row]] = {}
        for series_id, name in await self._fetch("SELECT id, name FROM series ORDER BY id"):
            rows = await self._fetch(
                "SELECT id, ts, value FROM points WHERE series_id = ? AND id <= ? ORDER BY id DESC LIMIT ?",
                (series_id, upto, limit),
            )
            if rows:
                result[name] = [Row(i, name, ts, value) for i, ts, value in reversed(rows)]
        return result

    async def between(self, after: int, upto: int) -> list[Row]:
        """Return the points with after < id <= upto, in id order."""
        rows = await self._fetch(
            "SELECT p.id, s.name, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
            " WHERE p.id > ? AND p.id <= ? ORDER BY p.id",
            (after, upto),
        )
        return [Row(*row) for row in rows]

    async def purge(self, older_than: float, keep: int) -> int:
        """Delete points older than the cutoff, keeping each series' last `keep`; return how many."""
        deleted = 0
        for (series_id,) in await self._fetch("SELECT id FROM series"):
            # A short transaction per series keeps ingest waiting at most one series' delete.
            async with self._transaction:
                deleted += await self._purge_series(series_id, older_than, keep)
        return deleted

    async def _purge_series(self, series_id: int, older_than: float, keep: int) -> int:
        async with self._immediate() as db:
            async with db.execute(
                "SELECT MAX(id) FROM points WHERE series_id = ? AND ts < ? AND id < COALESCE(("
                "SELECT id FROM points WHERE series_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?), 0)",
                (series_id, older_than, series_id, keep - 1),
            ) as cursor:
                (newest,) = await cursor.fetchone()
            deleted = 0
            if newest is not None:
                cursor = await db.execute(
                    "DELETE FROM points WHERE series_id = ? AND ts < ? AND id <= ?", (series_id, older_than, newest)
                )
                deleted = cursor.rowcount
                # A screen at cursor c holds each series' last `keep` points with id <= c. Those are
                # all still stored only if c reaches the keep-th point after the deleted ones; below
                # that, catching it up from SQLite would trim the wrong number of points: reset it.
                async with db.execute(
                    "SELECT id FROM points WHERE series_id = ? AND id > ? ORDER BY id LIMIT 1 OFFSET ?",
                    (series_id, newest, keep - 1),
                ) as cursor:
                    row = await cursor.fetchone()
                await db.execute(
                    "INSERT INTO meta (key, value) VALUES ('resume_floor', ?) ON CONFLICT (key) DO UPDATE"
                    " SET value = MAX(CAST(value AS INTEGER), excluded.value)",
                    (row[0] if row else newest,),
                )
        return deleted


def group_by_series(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Split rows by series, keeping their order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.series].append(row)
    return grouped
