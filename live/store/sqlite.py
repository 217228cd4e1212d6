"""The SQLite store: a file in WAL mode, one writer task (sqlite_writer.py), reads on a second connection.

The file must stay the one opened: SQLite goes on writing to a file deleted or replaced under
it, and everything written since is lost at the next start. So before each write and each
readiness check the path's inode is compared with the one opened (issue 13, finding 6).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from itertools import groupby, repeat
from operator import itemgetter
from pathlib import Path

import aiosqlite

from live.model import Commit, Idempotency, Point, Row, series_key
from live.store import Ends, StorageError
from live.store.batches import MAX_QUEUED_POINTS
from live.store.sqlite_history import export_rows, read_ends, read_history
from live.store.sqlite_rollups import cut_at, drop_before
from live.store.sqlite_schema import prepare
from live.store.sqlite_writer import Writer, is_busy

log = logging.getLogger(__name__)

# A worker that opens the file while another upgrades it waits for that, not only for a write.
OPEN_BUSY_TIMEOUT_MS = 300_000
# Per series, in series id order (first seen first), its newest `limit` points among ids <= upto:
# the subquery walks down that series' end of the (series_id, ts) index, never the whole table.
WINDOWS_SQL = (
    "SELECT p.series_id, p.id, p.ts, p.value FROM series s JOIN points p ON p.id IN ("
    "SELECT id FROM points WHERE series_id = s.id AND id <= ?1 ORDER BY ts DESC, id DESC LIMIT ?2)"
    " ORDER BY s.id"
)
# The same for the series named in a JSON array of ids: what one page shows, not every series.
SOME_WINDOWS_SQL = WINDOWS_SQL.replace(
    " ORDER BY s.id", " WHERE s.id IN (SELECT value FROM json_each(?3)) ORDER BY s.id"
)
SERIES_SQL = "SELECT id, name, labels FROM series"


@contextmanager
def storage_errors() -> Iterator[None]:
    """Raise any sqlite3 error in the block as StorageError, the cause chained."""
    try:
        yield
    except sqlite3.Error as error:
        raise StorageError(str(error)) from error


def lock_held(path: str) -> bool:
    """Return whether another connection holds the file's write lock now (asked without waiting)."""
    # mode=rw: never create a file where the database should be.
    with closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0, isolation_level=None)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if is_busy(error):
                return True
            raise
        db.execute("ROLLBACK")
        return False


class SQLiteStore:
    """The SQLite file: writes go through one task, reads through a second connection.

    `write_timeout`: seconds a batch may wait, in the queue and for another connection's lock,
    before it fails unwritten.
    """

    def __init__(
        self,
        path: str,
        *,
        write_timeout: float = 5.0,
        max_queued_points: int = MAX_QUEUED_POINTS,
        max_series: int | None = None,
    ) -> None:
        self.max_series = max_series
        self.path = path
        self.write_timeout = write_timeout
        self.busy_timeout_ms = max(1, int(write_timeout * 1000))
        self.max_queued_points = max_queued_points
        self.database_id = ""
        self._writer: Writer | None = None
        self._reader: aiosqlite.Connection | None = None
        self._opened: tuple[int, int] | None = None  # the file's (device, inode) once open
        self._gone = ""  # why the file may not be written, once found out

    async def _connect(self, busy_timeout_ms: int) -> aiosqlite.Connection:
        db = await aiosqlite.connect(self.path, isolation_level=None)
        await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        return db

    async def _connect_writer(self) -> aiosqlite.Connection:
        db = await self._connect(self.busy_timeout_ms)
        # FULL: a 2xx survives a power cut too, not only a crash. Group commit keeps the
        # fsync per transaction, not per point.
        await db.execute("PRAGMA synchronous = FULL")
        return db

    async def open(self) -> None:
        """Create or upgrade the file and its schema, and start the writer task."""
        try:
            await self._open()
        except BaseException:
            await self.close()  # an open connection would keep the process alive
            raise
        assert self._writer is not None
        self._writer.start()

    async def _open(self) -> None:
        with storage_errors():
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = await self._connect(max(self.busy_timeout_ms, OPEN_BUSY_TIMEOUT_MS))
            memory = self.path == ":memory:"
            self._writer = Writer(
                db,
                timeout=self.write_timeout,
                max_points=self.max_queued_points,
                connect=None if memory else self._connect_writer,
                guard=self._check_file,
                max_series=self.max_series,
            )
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = FULL")  # as _connect_writer says
            async with self._writer.transaction():
                self.database_id = await prepare(db)
            await db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not memory:
                opened = os.stat(self.path)
                self._opened = (opened.st_dev, opened.st_ino)
            # ":memory:" is a new database per connection: there, one connection does both.
            self._reader = db if memory else await self._connect(self.busy_timeout_ms)

    def _check_file(self) -> None:
        """Raise StorageError if the path no longer leads to the file opened (deleted, moved or replaced)."""
        if self._opened is None:
            return
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            why = "was deleted or moved away"
        except OSError as error:
            why = f"cannot be checked ({error.strerror})"
        else:
            if (found.st_dev, found.st_ino) == self._opened:
                if self._gone:
                    log.warning("the database file %s is back: writes resume", self.path)
                    self._gone = ""
                return
            why = f"was replaced by another file (inode {found.st_ino}, opened {self._opened[1]})"
        message = (
            f"the database file {self.path} {why} while Pulseboard had it open: writes stop, as they would"
            " be lost at the next start; put the file back, or restart Pulseboard to use what is there now"
        )
        if message != self._gone:
            # Loud, once per cause: points acknowledged before it live only in the open file now.
            log.critical("%s", message)
            self._gone = message
        raise StorageError(message)

    async def close(self) -> None:
        """Finish queued writes, stop the writer and close both connections."""
        if self._writer is not None:
            await self._writer.stop()
            await self._writer.db.close()
        if self._reader is not None:
            await self._reader.close()

    async def insert(
        self,
        points: list[Point],
        *,
        producer: asyncio.Task[object] | None = None,
        idempotency: Idempotency | None = None,
    ) -> Commit:
        """Store the points in one transaction and return what was committed (sqlite_writer.py says when not)."""
        assert self._writer is not None
        return await self._writer.insert(points, producer=producer, idempotency=idempotency)

    async def _fetch(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        db = self._reader
        assert db is not None
        if self._writer is not None and db is self._writer.db:
            # One connection (":memory:"): a read must not see a write transaction half done.
            async with self._writer.lock:
                return await self._fetch_on(db, sql, args)
        return await self._fetch_on(db, sql, args)

    async def _fetch_on(self, db: aiosqlite.Connection, sql: str, args: Sequence[object]) -> list[tuple]:
        # Fetch everything before returning, in one trip to aiosqlite's thread that runs the query
        # to its end: a cursor left open pins the WAL.
        with storage_errors():
            return list(await db.execute_fetchall(sql, args))

    async def ping(self) -> None:
        """Return if the file is the one opened, answers a read and takes writes; raise StorageError if not."""
        self._check_file()
        writer = self._writer
        if writer is not None and writer.locked_since is not None:
            # Writes failed on another connection's lock: ready again once nobody holds it.
            with storage_errors():
                held = await asyncio.to_thread(lock_held, self.path)
            if held:
                seconds = time.monotonic() - writer.locked_since
                raise StorageError(
                    f"writes are failing: another connection has held the database's write lock for {seconds:.0f} s"
                    f" (past the {self.write_timeout:g} s write deadline)"
                )
            writer.locked_since = None
        await self._fetch("SELECT 1 FROM meta LIMIT 1")

    async def last_id(self) -> int:
        """Return the newest event id, 0 for an empty database."""
        found = await self._fetch("SELECT seq FROM sqlite_sequence WHERE name = 'points'")
        return found[0][0] if found else 0

    async def resume_floor(self) -> int:
        """Return the lowest cursor whose windows retention has left whole, 0 if it deleted nothing."""
        found = await self._fetch("SELECT value FROM meta WHERE key = 'resume_floor'")
        return int(found[0][0]) if found else 0

    async def series(self) -> list[tuple[str, str]]:
        """Return every series' name and labels, first created first."""
        return [(name, labels) for _, name, labels in await self._fetch(SERIES_SQL + " ORDER BY id")]

    async def windows(self, upto: int, limit: int, keys: Collection[str] | None = None) -> dict[str, list[Row]]:
        """Return per series key (of `keys`, else every one) its newest `limit` points by (ts, id) among ids <= upto."""
        # One statement for every series: one snapshot, and one trip to aiosqlite's thread (a trip
        # costs ~0.25 ms: a query per series spent 0.5 s of 1.3 s in trips at 2,000 series).
        if limit < 1 or (keys is not None and not keys):
            return {}  # SQLite reads a negative LIMIT as no limit at all
        if keys is None:
            newest = await self._fetch(WINDOWS_SQL, (upto, limit))
            # Read after the points: every series they name is there.
            series = {series_id: (name, labels) for series_id, name, labels in await self._fetch(SERIES_SQL)}
        else:
            # A page of 50 of 2,000 series read 0.15 s where every series took 10-11.6 s (issue 13).
            series = {
                series_id: (name, labels)
                for series_id, name, labels in await self._fetch(SERIES_SQL)
                if series_key(name, labels) in keys
            }
            newest = await self._fetch(SOME_WINDOWS_SQL, (upto, limit, json.dumps(list(series))))
        windows: dict[str, list[Row]] = {}
        for series_id, found in groupby(newest, itemgetter(0)):
            name, labels = series[series_id]
            _, ids, ts, values = zip(*sorted(found, key=itemgetter(2, 1)), strict=True)
            windows[series_key(name, labels)] = list(
                map(tuple.__new__, repeat(Row), zip(ids, repeat(name), repeat(labels), ts, values))
            )
        return windows

    async def between(self, after: int, upto: int) -> list[Row]:
        """Return the points with after < id <= upto, in id order."""
        found = await self._fetch(
            "SELECT p.id, s.name, s.labels, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
            " WHERE p.id > ? AND p.id <= ? ORDER BY p.id",
            (after, upto),
        )
        return list(map(tuple.__new__, repeat(Row), found))

    async def _ids_of(self, keys: Sequence[str]) -> list[tuple[int, str, str]]:
        wanted = list(dict.fromkeys(keys))
        stored = await self._fetch(SERIES_SQL)
        known = {series_key(name, labels): (series_id, name, labels) for series_id, name, labels in stored}
        return [known[key] for key in wanted if key in known]

    async def history(
        self, keys: Sequence[str], start: float, end: float, resolution: float
    ) -> dict[str, tuple[Sequence[float], Sequence[float]]]:
        """Return per series key its points in [start, end]; whole 10/60 s buckets as extremes if resolution allows."""
        found = await self._ids_of(keys)
        if not found:
            return {}
        rows = await self._fetch("SELECT value FROM meta WHERE key = 'rollups_from'")
        rollups_from = float(rows[0][0]) if rows else 0.0
        series = {series_id: series_key(name, labels) for series_id, name, labels in found}
        return dict(await read_history(self._fetch, series, start, end, resolution, rollups_from))

    async def ends(self, keys: Sequence[str], start: float, end: float) -> dict[str, Ends]:
        """Return per series key its first point in [start, end] and its last at or before end, or None."""
        found = await self._ids_of(keys)
        series = {series_id: series_key(name, labels) for series_id, name, labels in found}
        return await read_ends(self._fetch, series, start, end) if series else {}

    async def export(
        self, keys: Sequence[str], start: float, end: float, *, chunk: int = 10_000
    ) -> AsyncIterator[list[Row]]:
        """Yield the points of the series in [start, end], series by series, by (ts, id), `chunk` rows at a time."""
        found = await self._ids_of(keys)
        upto = await self.last_id()
        async for rows in export_rows(self._fetch, found, start, end, upto, chunk):
            yield rows

    async def purge(self, older_than: float, keep: int) -> int:
        """Delete points with ts < older_than except each series' newest `keep` by (ts, id); return how many."""
        if keep < 1:
            raise ValueError(f"purge must keep at least 1 point per series, got keep={keep}")
        assert self._writer is not None
        with storage_errors():
            async with self._writer.transaction() as db:
                # Idempotency keys last as long as points: a retry later than that is a new batch.
                await db.execute("DELETE FROM idempotency_keys WHERE created < ?", (older_than,))
                await cut_at(db, older_than)  # before any point goes: reads stop trusting those rollups first
        deleted = 0
        for (series_id,) in await self._fetch("SELECT id FROM series ORDER BY id"):
            # A short transaction per series keeps ingest waiting at most one series' delete.
            with storage_errors():
                async with self._writer.transaction() as db:
                    deleted += await purge_series(db, series_id, older_than, keep)
                    await drop_before(db, series_id, older_than)
        return deleted


async def purge_series(db: aiosqlite.Connection, series_id: int, older_than: float, keep: int) -> int:
    """Delete the series' points older than the cutoff but its newest `keep`, and raise the resume floor."""
    async with db.execute(
        "SELECT ts, id FROM points WHERE series_id = ? ORDER BY ts DESC, id DESC LIMIT 1 OFFSET ?",
        (series_id, keep - 1),
    ) as cursor:
        oldest_kept = await cursor.fetchone()
    if oldest_kept is None:
        return 0  # fewer than `keep` points: all of them stay
    cursor = await db.execute(
        "DELETE FROM points WHERE series_id = ? AND ts < ? AND (ts, id) < (?, ?)",
        (series_id, older_than, *oldest_kept),
    )
    deleted = cursor.rowcount
    if deleted:
        # A screen at cursor c holds, per series, the newest `keep` points by (ts, id) among
        # ids <= c. Every point kept outranks every point deleted (it is among the newest
        # `keep`, or newer than the cutoff), so that screen is still whole in the store iff
        # at least `keep` kept points have ids <= c. The keep-th kept id in ascending order
        # is the lowest such c; a screen below it is reset, not caught up from the store.
        async with db.execute(
            "SELECT id FROM points WHERE series_id = ? ORDER BY id LIMIT 1 OFFSET ?", (series_id, keep - 1)
        ) as cursor:
            (floor,) = await cursor.fetchone()
        # Both sides as integers: meta holds text, and SQLite orders any text above any number.
        await db.execute(
            "INSERT INTO meta (key, value) VALUES ('resume_floor', ?) ON CONFLICT (key) DO UPDATE"
            " SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            (floor,),
        )
    return deleted
