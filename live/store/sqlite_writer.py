"""The SQLite store's one writer: a task fed by a queue, group commit, one transaction at a time.

SQLite allows one writer, and a write started for a request that is then cancelled must still
run to its end: so every batch is queued, and one task commits what queued meanwhile together.

What a producer can count on, whatever else holds the file (issue 13, finding 5):
- an answer within the write deadline: a batch not begun `timeout` seconds after it was queued
  fails with StorageError, unwritten; when another connection holds the lock past a batch's
  deadline, every batch waiting fails with it at once, not one busy timeout after another;
- a batch whose producer has gone (its request was cancelled) before its points are written is
  dropped, waiting for the lock included, so a producer that timed out and retries does not find
  its first try stored late;
- at most `max_points` points wait in the queue: past that a batch fails at once;
- a batch sent with an idempotency key is stored once; its retries get the same ids.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, closing
from functools import lru_cache
from itertools import chain, count, repeat

import aiosqlite

from live.model import Commit, Idempotency, InvalidInput, Row
from live.store import StorageError
from live.store.batches import MAX_QUEUED_POINTS, BatchWriter, Job, answer, fail
from live.store.sqlite_rollups import roll_up

log = logging.getLogger(__name__)

MAX_ROWS_PER_INSERT = 5000
# The lock wait is set per transaction from the oldest batch's deadline, but only when it moves
# by more than this (a PRAGMA is one more trip to aiosqlite's thread): a batch may fail this late.
BUSY_SLACK_MS = 250


def is_busy(error: sqlite3.Error) -> bool:
    """Return whether SQLite gave up waiting for another connection's lock."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


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


class Writer(BatchWriter):
    """The connection that writes, the task that commits queued batches, and the lock on its transactions.

    `connect` opens a fresh writing connection (when a ROLLBACK fails and leaves this one inside
    a transaction); `guard` raises StorageError when the file may no longer be written.
    """

    def __init__(
        self,
        db: aiosqlite.Connection,
        *,
        timeout: float,
        max_points: int = MAX_QUEUED_POINTS,
        connect: Callable[[], Awaitable[aiosqlite.Connection]] | None = None,
        guard: Callable[[], None] = lambda: None,
        max_series: int | None = None,
    ) -> None:
        super().__init__(timeout=timeout, max_points=max_points)
        self.db = db
        self.max_series = max_series
        self._connect = connect
        self._guard = guard
        # One transaction at a time on this connection: ingest's, retention's, the schema's.
        self.lock = asyncio.Lock()
        self._series_ids: dict[tuple[str, str], int] = {}
        self._rows_per_insert = rows_per_insert()
        self._busy_ms = 0  # the connection's busy timeout as last set here (0: not yet)
        # When writes began failing on another connection's lock (time.monotonic()), None while they succeed.
        self.locked_since: float | None = None

    async def stop(self) -> None:
        """Commit every queued batch, then stop the task."""
        await self._finish()

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
            if self.db.in_transaction:
                # Still inside it, this connection would refuse every BEGIN from now on, and
                # hold the file's write lock against every other worker: start afresh.
                await self._reconnect()

    async def _reconnect(self) -> None:
        if self._connect is None:
            log.error("the writing connection is stuck in a transaction and cannot be replaced (:memory:)")
            return
        try:
            await self.db.close()  # first: closing rolls back, and lets go of the write lock
        except sqlite3.Error as close_error:
            log.warning("closing the stuck writing connection failed: %s", close_error)
        self.db = await self._connect()
        self._busy_ms = 0
        log.warning("the writing connection was replaced after a ROLLBACK failed inside a transaction")

    def _fail_waiting(self, error: BaseException, message: str) -> None:
        """Fail every batch still queued: they would meet what failed the last group."""
        while not self._jobs.empty():
            fail([self._taken(self._jobs.get_nowait())], error, message)
            self._jobs.task_done()

    async def _write_jobs(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        try:
            self._guard()
            await self._wait_for_lock_until(min(job.deadline for job in jobs))
            results = await self._write(jobs)
        except StorageError as error:  # the guard's: the file cannot be written at all
            fail(jobs, error)
            self._fail_waiting(error, str(error))
            return
        except sqlite3.OperationalError as error:
            # The file's trouble, not a batch's (locked too long, disk full, read-only, gone):
            # every batch would meet it again, so none is retried alone.
            if not is_busy(error):
                fail(jobs, error)
                return
            if self.locked_since is None:
                self.locked_since = time.monotonic()
            message = f"database is locked: another connection held its write lock past the {self.timeout:g} s deadline"
            log.warning("%s; failing %d batches and every one waiting", message, len(jobs))
            fail(jobs, error, message)
            self._fail_waiting(error, message)
            return
        except (sqlite3.Error, TypeError, ValueError) as error:
            if len(jobs) > 1:
                # One bad batch must not fail the others that shared its transaction.
                for job in jobs:
                    await self._write_jobs([job])
                return
            if not isinstance(error, sqlite3.Error):
                log.exception("a batch of %d points could not be stored", len(jobs[0].points))
            fail(jobs, error)
            return
        self.locked_since = None
        answer(jobs, results)

    async def _wait_for_lock_until(self, deadline: float) -> None:
        """Have BEGIN wait for another connection's lock no later than `deadline` (time.monotonic())."""
        ms = max(1, int((deadline - time.monotonic()) * 1000))
        if abs(ms - self._busy_ms) > BUSY_SLACK_MS:
            await self.db.execute(f"PRAGMA busy_timeout = {ms}")
            self._busy_ms = ms

    async def _known_ids(
        self, db: aiosqlite.Connection, keys: Iterable[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], int], list[tuple[str, str]]]:
        """Return the id of every (name, labels) stored, and the keys that are new, in first-seen order."""
        ids = dict(self._series_ids)
        missing = [key for key in dict.fromkeys(keys) if key not in ids]
        await self._look_up(db, missing, ids)
        return ids, [key for key in missing if key not in ids]

    async def _look_up(
        self, db: aiosqlite.Connection, keys: list[tuple[str, str]], ids: dict[tuple[str, str], int]
    ) -> None:
        """Add the ids of the stored series among `keys` to `ids`."""
        for start in range(0, len(keys), self._rows_per_insert):
            chunk = keys[start : start + self._rows_per_insert]
            async with db.execute(series_sql(len(chunk)), list(chain.from_iterable(chunk))) as cursor:
                ids.update(((name, labels), series_id) for series_id, name, labels in await cursor.fetchall())

    async def _create_series(
        self, db: aiosqlite.Connection, new: list[tuple[str, str]], ids: dict[tuple[str, str], int]
    ) -> None:
        """Create these series (inside the transaction) and add their ids to `ids`."""
        # New series get ids in the order they first appear: screens list series in id order.
        await db.executemany("INSERT OR IGNORE INTO series (name, labels) VALUES (?, ?)", new)
        await self._look_up(db, new, ids)

    async def _admit(
        self, db: aiosqlite.Connection, jobs: list[Job], columns: list[tuple], ids: dict[tuple[str, str], int],
        new: list[tuple[str, str]],
    ) -> dict[int, InvalidInput]:
        """Create the new series of each batch that stays within MAX_SERIES; return why the others are refused.

        Counted inside the write transaction, which one writer of any process holds at a time,
        so workers sharing the file cannot together pass the limit.
        """
        refused: dict[int, InvalidInput] = {}
        if not new:
            return refused
        if self.max_series is None:
            await self._create_series(db, new, ids)
            return refused
        async with db.execute("SELECT count(*) FROM series") as cursor:
            (stored,) = await cursor.fetchone()
        fresh = set(new)
        for index, (series, _, _, labels) in enumerate(columns):
            if jobs[index].abandoned():
                continue  # dropped unwritten below: its series are not created either
            wanted = [key for key in dict.fromkeys(zip(series, labels, strict=True)) if key in fresh and key not in ids]
            if not wanted:
                continue
            if stored + len(wanted) > self.max_series:
                refused[index] = InvalidInput(
                    f"this batch would create {len(wanted)} new series, and {stored} of the {self.max_series} "
                    f"allowed (PULSEBOARD_MAX_SERIES) exist: first new one {wanted[0][0]!r}; points of existing "
                    "series are still accepted",
                    field="series",
                )
                continue
            await self._create_series(db, wanted, ids)
            stored += len(wanted)
        return refused

    async def _write(self, jobs: list[Job]) -> list[Commit | InvalidInput | None]:
        """Write the batches in one transaction: a commit per batch, a refusal (a key reused), or None (dropped)."""
        columns = [tuple(zip(*job.points, strict=True)) for job in jobs]  # (series, ts, value, labels) each
        async with self.transaction() as db:
            keys = chain.from_iterable(zip(series, labels, strict=True) for series, _, _, labels in columns)
            ids, new = await self._known_ids(db, keys)
            refused = await self._admit(db, jobs, columns, ids, new)
            results: list[Commit | InvalidInput | None] = []
            rolled: tuple[list[int], list[float], list[float]] = ([], [], [])  # what was inserted, for rollups
            for index, (job, (series, ts, values, labels)) in enumerate(zip(jobs, columns, strict=True)):
                if index in refused:
                    results.append(refused[index])
                    continue
                if job.abandoned():  # its producer left while BEGIN waited for the lock: still unwritten
                    log.info("a batch of %d points was dropped unwritten: its producer had gone", len(job.points))
                    results.append(None)
                    continue
                if job.idempotency is not None:
                    earlier = await stored_before(db, job.idempotency)
                    if earlier is not None:
                        results.append(earlier)
                        continue
                series_ids = list(map(ids.__getitem__, zip(series, labels, strict=True)))
                flat = list(chain.from_iterable(zip(series_ids, ts, values, strict=True)))
                for kept, new in zip(rolled, (series_ids, ts, values), strict=True):
                    kept.extend(new)
                for start in range(0, len(series), self._rows_per_insert):
                    size = min(self._rows_per_insert, len(series) - start)
                    cursor = await db.execute(insert_sql(size), flat[3 * start : 3 * (start + size)])
                # One writer holds the lock for the whole transaction, so ids are contiguous.
                last = cursor.lastrowid
                first = last - len(series) + 1
                if job.idempotency is not None:  # in the same transaction: stored with its key, or neither
                    await db.execute(
                        "INSERT INTO idempotency_keys (key, fingerprint, first_id, last_id, created)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (*job.idempotency, first, last, time.time()),
                    )
                results.append(Commit(first, last, rows(first, series, labels, ts, values)))
            if rolled[0]:  # in the same transaction: history's rollups never miss a stored point
                await roll_up(db, *rolled)
        self._series_ids = ids  # only once committed: a rolled-back series id does not exist
        return results


async def stored_before(db: aiosqlite.Connection, idempotency: Idempotency) -> Commit | InvalidInput | None:
    """Return the commit a key stands for (no rows: nothing new), a refusal if it was another batch's, or None."""
    async with db.execute(
        "SELECT fingerprint, first_id, last_id FROM idempotency_keys WHERE key = ?", (idempotency.key,)
    ) as cursor:
        found = await cursor.fetchone()
    if found is None:
        return None
    fingerprint, first, last = found
    if fingerprint != idempotency.fingerprint:
        return InvalidInput(
            f"Idempotency-Key {idempotency.key[:60]!r} was used for another batch; send a new key with a new batch",
            field="Idempotency-Key",
        )
    return Commit(first, last, (), replayed=True)
