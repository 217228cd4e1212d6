"""The PostgreSQL store: one writer connection per process (postgres_writer.py), reads from a small pool.

Chosen by PULSEBOARD_DATABASE=postgresql://user@host/db, for several hosts on one database; the
schema is created or upgraded at open (postgres_schema.py). Every asyncpg or socket error leaves
the store as StorageError, so ingest answers 503 while PostgreSQL is down and the pool's
connections are made anew once it is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

import asyncpg

from live.model import Commit, Idempotency, Point, Row
from live.store import Ends, StorageError, postgres_reads
from live.store.batches import MAX_QUEUED_POINTS
from live.store.postgres_retention import purge_series
from live.store.postgres_schema import prepare
from live.store.postgres_writer import SERVER_ERRORS, PostgresWriter

T = TypeVar("T")
POOL_SIZE = 4


@contextmanager
def storage_errors() -> Iterator[None]:
    """Raise any asyncpg, socket or timeout error in the block as StorageError, the cause chained."""
    try:
        yield
    except SERVER_ERRORS as error:
        raise StorageError(f"PostgreSQL: {type(error).__name__}: {error}") from error


class PostgresStore:
    """A PostgreSQL database: writes through one task and connection, reads through a pool."""

    def __init__(
        self,
        url: str,
        *,
        write_timeout: float = 5.0,
        max_queued_points: int = MAX_QUEUED_POINTS,
        max_series: int | None = None,
    ) -> None:
        self.url = url
        self.write_timeout = write_timeout
        self.database_id = ""
        # Connecting and every statement outside a batch's own deadline (COMMIT, reads) are bounded.
        self.command_timeout = max(5.0, write_timeout)
        self._writer = PostgresWriter(
            self._connect, timeout=write_timeout, max_points=max_queued_points, max_series=max_series
        )
        self._pool: asyncpg.Pool | None = None

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, timeout=self.command_timeout, command_timeout=self.command_timeout)

    async def open(self) -> None:
        """Create or upgrade the schema, open the read pool and start the writer."""
        with storage_errors():
            db = await self._connect()
            try:
                self.database_id = await prepare(db)
            finally:
                await db.close()
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=self.command_timeout,
                command_timeout=self.command_timeout,
            )
        self._writer.start()

    async def close(self) -> None:
        """Finish queued writes, stop the writer and close the pool."""
        await self._writer.stop()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), self.command_timeout)
            except (TimeoutError, *SERVER_ERRORS):
                pool.terminate()

    async def insert(
        self,
        points: list[Point],
        *,
        producer: asyncio.Task[object] | None = None,
        idempotency: Idempotency | None = None,
    ) -> Commit:
        """Store the points in one transaction and return what was committed (postgres_writer.py says when not)."""
        return await self._writer.insert(points, producer=producer, idempotency=idempotency)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """Lend a pooled connection; any error on it is a StorageError."""
        if self._pool is None:
            raise StorageError("the PostgreSQL store is not open")
        with storage_errors():
            async with self._pool.acquire() as db:
                yield db

    async def _read(self, read: Callable[..., Awaitable[T]], *args: object) -> T:
        async with self.connection() as db:
            return await read(db, *args)

    async def _fetch(self, sql: str, *args: object) -> list[tuple]:
        """Return a query's rows as tuples (tests and tools)."""
        async with self.connection() as db:
            return [tuple(record) for record in await db.fetch(sql, *args)]

    async def ping(self) -> None:
        """Return if PostgreSQL answers a read on the schema; raise StorageError if not."""
        await self._fetch("SELECT 1 FROM meta LIMIT 1")

    async def last_id(self) -> int:
        """Return the newest event id, 0 for an empty database."""
        return await self._read(postgres_reads.last_id)

    async def resume_floor(self) -> int:
        """Return the lowest cursor whose windows retention has left whole, 0 if it deleted nothing."""
        return await self._read(postgres_reads.resume_floor)

    async def series(self) -> list[tuple[str, str]]:
        """Return every series' name and labels, first created first."""
        return await self._read(postgres_reads.series)

    async def windows(self, upto: int, limit: int, keys: Collection[str] | None = None) -> dict[str, list[Row]]:
        """Return per series key (of `keys`, else every one) its newest `limit` points by (ts, id) among ids <= upto."""
        return await self._read(postgres_reads.windows, upto, limit, keys)

    async def between(self, after: int, upto: int) -> list[Row]:
        """Return the points with after < id <= upto, in id order."""
        return await self._read(postgres_reads.between, after, upto)

    async def history(
        self, keys: Sequence[str], start: float, end: float, resolution: float
    ) -> dict[str, tuple[Sequence[float], Sequence[float]]]:
        """Return per series key its points in [start, end] (every one: no rollups on PostgreSQL yet)."""
        found = await self._read(postgres_reads.series_ids, keys)
        return await self._read(postgres_reads.history, found, start, end) if found else {}

    async def ends(self, keys: Sequence[str], start: float, end: float) -> dict[str, Ends]:
        """Return per series key its first point in [start, end] and its last at or before end, or None."""
        found = await self._read(postgres_reads.series_ids, keys)
        return await self._read(postgres_reads.ends, found, start, end) if found else {}

    async def export(
        self, keys: Sequence[str], start: float, end: float, *, chunk: int = 10_000
    ) -> AsyncIterator[list[Row]]:
        """Yield the points of the series in [start, end], series by series, by (ts, id), `chunk` rows at a time."""
        found = await self._read(postgres_reads.series_ids, keys)
        upto = await self.last_id()
        for series_id, name, labels in found:
            after = (start, -1)  # (ts, id) > (start, -1): every point from start on
            while True:
                rows = await self._read(postgres_reads.export_chunk, series_id, upto, end, after, chunk)
                if not rows:
                    break
                yield [Row(point_id, name, labels, ts, value) for point_id, ts, value in rows]
                if len(rows) < chunk:
                    break
                after = (rows[-1][1], rows[-1][0])

    async def purge(self, older_than: float, keep: int) -> int:
        """Delete points with ts < older_than except each series' newest `keep` by (ts, id); return how many."""
        if keep < 1:
            raise ValueError(f"purge must keep at least 1 point per series, got keep={keep}")
        async with self.connection() as db:
            # Idempotency keys last as long as points: a retry later than that is a new batch.
            await db.execute("DELETE FROM idempotency_keys WHERE created < $1", older_than)
            deleted = 0
            for series_id in [row[0] for row in await db.fetch("SELECT id FROM series ORDER BY id")]:
                deleted += await purge_series(db, series_id, older_than, keep)
        return deleted
