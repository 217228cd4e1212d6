"""The SQLite store's one writer: a task fed by a queue, group commit, one transaction at a time.

SQLite allows one writer, and a write started for a request that is then cancelled must still
run to its end: so every batch is queued, and one task commits what queued meanwhile together.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, closing
from functools import lru_cache
from itertools import chain, count, repeat

import aiosqlite

from live.model import Commit, Point, Row
from live.store import StorageError

log = logging.getLogger(__name__)

MAX_ROWS_PER_INSERT = 5000
MAX_BATCHES_PER_COMMIT = 64
Job = tuple[list[Point], "asyncio.Future[Commit]"]


def rows(
    first: int, series: Iterable[str], labels: Iterable[str], ts: Iterable[float], values: Iterable[float]
) -> tuple[Row, ...]:
    """Return the rows of points stored with ids from `first` on, from their columns."""
    # tuple.__new__ from C: a NamedTuple's own __new__ is a Python function, called per point.
    return tuple(map(tuple.__new__, repeat(Row), zip(count(first), series, labels, ts, values)))


def rows_per_insert() -> int:
    """Return how many points one INSERT may carry: 3 bound values each, within this SQLite's limit."""
    with closing(sqlite3.connect(":memory:")) as db:  # the limit is the library's, the same for every file
        return min(MAX_ROWS_PER_INSERT, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // 3)


@lru_cache(maxsize=64)
def insert_sql(count: int) -> str:
    """Return an INSERT of `count` points as one statement.

    One statement, not executemany: sqlite3 lets go of the GIL for each step it runs, and
    executemany runs a step per row. While the event loop parsed the next batch, each of
    those steps waited to get the GIL back, and 5,000 rows took 200 to 340 ms instead of
    28 ms (BENCHMARKS.md, Ingest). One step inserts every row without the GIL.
    """
    return "INSERT INTO points (series_id, ts, value) VALUES " + ",".join(["(?, ?, ?)"] * count)


@lru_cache(maxsize=64)
def series_sql(count: int) -> str:
    """Return a SELECT of the ids of `count` (name, labels) pairs, found through the unique index."""
    keys = ",".join(["(?, ?)"] * count)
    return (
        f"WITH k (name, labels) AS (VALUES {keys})"
        " SELECT s.id, s.name, s.labels FROM k JOIN series s USING (name, labels)"
    )


def fail(jobs: Iterable[Job], error: BaseException) -> None:
    """Fail the batches' callers with a StorageError caused by `error` (one exception each)."""
    for _, future in jobs:
        if not future.done():
            failure = StorageError(str(error) or type(error).__name__)
            failure.__cause__ = error
            future.set_exception(failure)


class Writer:
    """The connection that writes, the task that commits queued batches, and the lock on its transactions."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        # One transaction at a time on this connection: ingest's, retention's, the schema's.
        self.lock = asyncio.Lock()
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._series_ids: dict[tuple[str, str], int] = {}
        self._rows_per_insert = rows_per_insert()

    def start(self) -> None:
        """Start the task that commits queued batches."""
        self._task = asyncio.create_task(self._write_forever(), name="pulseboard-writer")

    async def stop(self) -> None:
        """Commit every queued batch, then stop the task."""
        if self._task is not None:
            await self._jobs.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def insert(self, points: list[Point]) -> Commit:
        """Queue the points, and return them as committed in one transaction."""
        future: asyncio.Future[Commit] = asyncio.get_running_loop().create_future()
        self._jobs.put_nowait((points, future))
        # shield: a caller cancelled while waiting must not cancel the write for the others.
        return await asyncio.shield(future)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a BEGIN IMMEDIATE transaction: commit, or roll back on any exit."""
        async with self.lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                await self.db.execute("COMMIT")
            except BaseException as error:
                await self._roll_back(error)
                raise

    async def _roll_back(self, error: BaseException) -> None:
        """Roll back after `error`, which stays the error raised: a failed ROLLBACK is only a note on it."""
        # SQLite may have rolled back already (an I/O error, a full disk): a second ROLLBACK fails.
        if not self.db.in_transaction:
            return
        try:
            await self.db.execute("ROLLBACK")
        except sqlite3.Error as rollback_error:
            # Raised from here, it would replace the real cause: a full disk was reported as
            # "cannot rollback - no transaction is active" (issue 13, finding 12).
            log.warning("ROLLBACK after %r failed too: %s", error, rollback_error)
            error.add_note(f"the ROLLBACK that followed failed too: {rollback_error}")

    async def _write_forever(self) -> None:
        while True:
            jobs = [await self._jobs.get()]
            # Group commit: batches that queued while the last transaction ran share the next one.
            while not self._jobs.empty() and len(jobs) < MAX_BATCHES_PER_COMMIT:
                jobs.append(self._jobs.get_nowait())
            try:
                await self._write_jobs(jobs)
            except Exception as error:
                # The one writer outlives anything a group meets: its callers hear of it, the log keeps it.
                log.exception("storing %d batches failed", len(jobs))
                fail(jobs, error)
            finally:
                for _ in jobs:
                    self._jobs.task_done()

    async def _write_jobs(self, jobs: list[Job]) -> None:
        try:
            commits = await self._write([points for points, _ in jobs])
        except sqlite3.OperationalError as error:
            # The file's trouble, not a batch's (locked too long, disk full, read-only, gone):
            # every batch would meet it again, so none is retried alone.
            fail(jobs, error)
            return
        except (sqlite3.Error, TypeError, ValueError) as error:
            if len(jobs) > 1:
                # One bad batch must not fail the others that shared its transaction.
                for job in jobs:
                    await self._write_jobs([job])
                return
            if not isinstance(error, sqlite3.Error):
                log.exception("a batch of %d points could not be stored", len(jobs[0][0]))
            fail(jobs, error)
            return
        for (_, future), commit in zip(jobs, commits, strict=True):
            if not future.done():
                future.set_result(commit)

    async def _series_ids_for(
        self, db: aiosqlite.Connection, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        """Return the id of every (name, labels), creating series that are new (inside the transaction)."""
        ids = dict(self._series_ids)
        # New series get ids in the order they first appear: screens list series in id order.
        missing = [key for key in dict.fromkeys(keys) if key not in ids]
        if missing:
            await db.executemany("INSERT OR IGNORE INTO series (name, labels) VALUES (?, ?)", missing)
            for start in range(0, len(missing), self._rows_per_insert):
                chunk = missing[start : start + self._rows_per_insert]
                async with db.execute(series_sql(len(chunk)), list(chain.from_iterable(chunk))) as cursor:
                    ids.update(((name, labels), series_id) for series_id, name, labels in await cursor.fetchall())
        return ids

    async def _write(self, batches: list[list[Point]]) -> list[Commit]:
        columns = [tuple(zip(*batch, strict=True)) for batch in batches]  # (series, ts, value, labels) each
        async with self.transaction() as db:
            keys = chain.from_iterable(zip(series, labels, strict=True) for series, _, _, labels in columns)
            ids = await self._series_ids_for(db, keys)
            commits = []
            for series, ts, values, labels in columns:
                series_ids = map(ids.__getitem__, zip(series, labels, strict=True))
                flat = list(chain.from_iterable(zip(series_ids, ts, values, strict=True)))
                for start in range(0, len(series), self._rows_per_insert):
                    size = min(self._rows_per_insert, len(series) - start)
                    cursor = await db.execute(insert_sql(size), flat[3 * start : 3 * (start + size)])
                # One writer holds the lock for the whole transaction, so ids are contiguous.
                last = cursor.lastrowid
                first = last - len(series) + 1
                commits.append(Commit(first, last, rows(first, series, labels, ts, values)))
        self._series_ids = ids  # only once committed: a rolled-back series id does not exist
        return commits
