"""The PostgreSQL store's one writer per process: a queue, group commit, one COPY per transaction.

Event ids that mean the same on every host (issue 18). Readers resume "after id N", so an id may
become visible only once every smaller id is: with a plain sequence, host A takes 11, host B takes
12 and commits first, a reader sees 12, resumes after 12, and skips 11 for ever. So ids come from
a one-row table, `event_ids`, locked with SELECT ... FOR UPDATE in the transaction that inserts
them and updated in it. The row lock is held until that transaction ends, and PostgreSQL makes a
commit visible before it lets go of its locks; so the next writer, on any host, reads the counter
only after the previous transaction is visible, and ids become visible in the order they are
handed out. A rollback takes its ids back (the counter is rolled back with the points): no gaps.
The lock is taken last, after the series are found or created, and held for the one COPY.

Series are created under a transaction-level advisory lock (SERIES_LOCK): hosts creating the same
new series in other orders would otherwise deadlock on the unique index, and MAX_SERIES is counted
under it, so hosts cannot together pass the limit.

What a producer can count on is what sqlite_writer.py says: an answer within the write deadline,
a batch whose producer has gone dropped unwritten, a bounded queue, idempotency keys. A 2xx is
sent only once COMMIT has returned; when PostgreSQL is down every batch fails with StorageError.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from itertools import chain, count

import asyncpg

from live.model import Commit, Idempotency, InvalidInput, Point
from live.store import StorageError
from live.store.postgres_schema import SERIES_LOCK
from live.store.sqlite_writer import MAX_BATCHES_PER_COMMIT, MAX_QUEUED_POINTS, Job, fail, rows

log = logging.getLogger(__name__)

# A batch's own fault: the others sharing its transaction are retried without it.
BATCH_ERRORS = (TypeError, ValueError, asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)
# Anything else (refused connection, server shut down, a broken socket) is the server's: every
# batch would meet it, and the connection is dropped to be made anew for the next batch.
SERVER_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
COLUMNS = ("id", "series_id", "ts", "value")
LOOK_UP_SQL = (
    "SELECT s.id, s.name, s.labels FROM unnest($1::text[], $2::text[]) AS k (name, labels)"
    " JOIN series s USING (name, labels)"
)
# New series get ids in the order they first appear: screens list series in id order.
CREATE_SQL = (
    "INSERT INTO series (name, labels) SELECT name, labels FROM unnest($1::text[], $2::text[])"
    " WITH ORDINALITY AS k (name, labels, n) ORDER BY n ON CONFLICT DO NOTHING"
)
KEY_SQL = "INSERT INTO idempotency_keys (key, fingerprint, first_id, last_id, created) VALUES ($1, $2, $3, $4, $5)"


class PostgresWriter:
    """The writing connection (made anew after trouble) and the task that commits queued batches."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        timeout: float,
        max_points: int = MAX_QUEUED_POINTS,
        max_series: int | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_points = max_points
        self.max_series = max_series
        self.db: asyncpg.Connection | None = None
        self._connect = connect
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._queued_points = 0
        self._task: asyncio.Task[None] | None = None
        self._series_ids: dict[tuple[str, str], int] = {}

    def start(self) -> None:
        """Start the task that commits queued batches."""
        self._task = asyncio.create_task(self._write_forever(), name="pulseboard-postgres-writer")

    async def stop(self) -> None:
        """Commit every queued batch, stop the task and close the connection."""
        if self._task is not None:
            await self._jobs.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._drop_connection()

    async def insert(
        self,
        points: list[Point],
        *,
        producer: asyncio.Task[object] | None = None,
        idempotency: Idempotency | None = None,
    ) -> Commit:
        """Queue the points, and return them as committed in one transaction (StorageError if not)."""
        if self._queued_points and self._queued_points + len(points) > self.max_points:
            raise StorageError(f"the write queue is full ({self._queued_points} points wait to be written)")
        future: asyncio.Future[Commit] = asyncio.get_running_loop().create_future()
        self._jobs.put_nowait(Job(points, future, producer, idempotency, time.monotonic() + self.timeout))
        self._queued_points += len(points)
        # shield: a caller cancelled while waiting must not cancel the write for the others.
        return await asyncio.shield(future)

    def _taken(self, job: Job) -> Job:
        self._queued_points -= len(job.points)
        return job

    async def _write_forever(self) -> None:
        while True:
            jobs = [self._taken(await self._jobs.get())]
            # Group commit: batches that queued while the last transaction ran share the next one.
            while not self._jobs.empty() and len(jobs) < MAX_BATCHES_PER_COMMIT:
                jobs.append(self._taken(self._jobs.get_nowait()))
            try:
                await self._write_jobs(self._wanted(jobs))
            except Exception as error:
                log.exception("storing %d batches failed", len(jobs))
                fail(jobs, error)
            finally:
                for _ in jobs:
                    self._jobs.task_done()

    def _wanted(self, jobs: list[Job]) -> list[Job]:
        """Return the batches to write: drop those nobody waits for, fail those past their deadline."""
        now = time.monotonic()
        wanted = []
        for job in jobs:
            if job.abandoned():
                job.future.cancel()
                log.info("a batch of %d points was dropped unwritten: its producer had gone", len(job.points))
            elif job.deadline <= now:
                fail([job], TimeoutError(), f"not written within the {self.timeout:g} s write deadline")
            else:
                wanted.append(job)
        return wanted

    async def _drop_connection(self) -> None:
        db, self.db = self.db, None
        if db is not None and not db.is_closed():
            db.terminate()  # no goodbye: the server may be gone, and it rolls back what was open

    async def _write_jobs(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        try:
            results = await self._write(jobs, min(job.deadline for job in jobs))
        except BATCH_ERRORS as error:
            if len(jobs) > 1:
                # One bad batch must not fail the others that shared its transaction.
                for job in jobs:
                    await self._write_jobs([job])
                return
            fail(jobs, error)
            return
        except SERVER_ERRORS as error:
            await self._drop_connection()
            message = f"PostgreSQL: {type(error).__name__}: {error}"
            if isinstance(error, TimeoutError):
                message = f"not written within the {self.timeout:g} s write deadline"
            log.warning("%s; failing %d batches and every one waiting", message, len(jobs))
            fail(jobs, error, message)
            while not self._jobs.empty():  # they would meet the same server
                fail([self._taken(self._jobs.get_nowait())], error, message)
                self._jobs.task_done()
            return
        for job, result in zip(jobs, results, strict=True):
            if job.future.done():
                continue
            if result is None:
                job.future.cancel()
            elif isinstance(result, Exception):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)

    async def _write(self, jobs: list[Job], deadline: float) -> list[Commit | InvalidInput | None]:
        """Write the batches in one transaction: a commit per batch, a refusal, or None (dropped)."""
        columns = [tuple(zip(*job.points, strict=True)) for job in jobs]  # (series, ts, value, labels) each
        # The work before COMMIT keeps to the oldest batch's deadline; COMMIT itself is never cut
        # short (its outcome would be unknown), the connection's command timeout bounds it.
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            if self.db is None or self.db.is_closed():
                self.db = await self._connect()
            db = self.db
            transaction = db.transaction()
            await transaction.start()
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                ids, refused = await self._series(db, jobs, columns)
                results = await self._insert(db, jobs, columns, ids, refused)
        except BaseException:
            await self._drop_connection()  # rolls back on the server, whatever state the socket is in
            raise
        await transaction.commit()
        self._series_ids = ids  # only once committed: a rolled-back series id does not exist
        return results

    async def _look_up(
        self, db: asyncpg.Connection, keys: list[tuple[str, str]], ids: dict[tuple[str, str], int]
    ) -> None:
        if keys:
            names, labels = zip(*keys, strict=True)
            found = await db.fetch(LOOK_UP_SQL, names, labels)
            ids.update(((name, labels), series_id) for series_id, name, labels in found)

    async def _series(
        self, db: asyncpg.Connection, jobs: list[Job], columns: list[tuple]
    ) -> tuple[dict[tuple[str, str], int], dict[int, InvalidInput]]:
        """Return the series id of every key the batches name, creating the new ones each batch may,
        and why the batches that would pass MAX_SERIES are refused (by their index)."""
        ids = dict(self._series_ids)
        refused: dict[int, InvalidInput] = {}
        keys = chain.from_iterable(zip(series, labels, strict=True) for series, _, _, labels in columns)
        missing = [key for key in dict.fromkeys(keys) if key not in ids]
        await self._look_up(db, missing, ids)
        if all(key in ids for key in missing):
            return ids, refused
        await db.execute("SELECT pg_advisory_xact_lock($1)", SERIES_LOCK)
        await self._look_up(db, [key for key in missing if key not in ids], ids)  # another host's, meanwhile
        stored = await db.fetchval("SELECT count(*) FROM series") if self.max_series is not None else 0
        for index, (series, _, _, labels) in enumerate(columns):
            if jobs[index].abandoned():
                continue  # dropped unwritten: its series are not created either
            wanted = [key for key in dict.fromkeys(zip(series, labels, strict=True)) if key not in ids]
            if not wanted:
                continue
            if self.max_series is not None and stored + len(wanted) > self.max_series:
                refused[index] = InvalidInput(
                    f"this batch would create {len(wanted)} new series, and {stored} of the {self.max_series} "
                    f"allowed (PULSEBOARD_MAX_SERIES) exist: first new one {wanted[0][0]!r}; points of existing "
                    "series are still accepted",
                    field="series",
                )
                continue
            names, labels_ = zip(*wanted, strict=True)
            await db.execute(CREATE_SQL, names, labels_)
            await self._look_up(db, wanted, ids)
            stored += len(wanted)
        return ids, refused

    async def _insert(
        self,
        db: asyncpg.Connection,
        jobs: list[Job],
        columns: list[tuple],
        ids: dict[tuple[str, str], int],
        refused: dict[int, InvalidInput],
    ) -> list[Commit | InvalidInput | None]:
        """Take the next ids under the counter's row lock, and COPY every batch's points with them."""
        last = await db.fetchval("SELECT last FROM event_ids FOR UPDATE")
        # Keys read after the lock: a try of the same batch on another host committed before it.
        wanted_keys = [job.idempotency.key for job in jobs if job.idempotency is not None]
        stored = {}
        if wanted_keys:
            found = await db.fetch(
                "SELECT key, fingerprint, first_id, last_id FROM idempotency_keys WHERE key = ANY($1::text[])",
                wanted_keys,
            )
            stored = {key: (fingerprint, first, last_id) for key, fingerprint, first, last_id in found}
        results: list[Commit | InvalidInput | None] = []
        records: list[Iterable[tuple]] = []
        new_keys = []
        next_id = last + 1
        for index, (job, (series, ts, values, labels)) in enumerate(zip(jobs, columns, strict=True)):
            if index in refused:
                results.append(refused[index])
                continue
            if job.abandoned():  # its producer left while this transaction waited: still unwritten
                log.info("a batch of %d points was dropped unwritten: its producer had gone", len(job.points))
                results.append(None)
                continue
            if job.idempotency is not None and job.idempotency.key in stored:
                results.append(replayed(job.idempotency, *stored[job.idempotency.key]))
                continue
            first, next_id = next_id, next_id + len(series)
            series_ids = map(ids.__getitem__, zip(series, labels, strict=True))
            records.append(zip(count(first), series_ids, ts, values))
            if job.idempotency is not None:
                stored[job.idempotency.key] = (job.idempotency.fingerprint, first, next_id - 1)
                new_keys.append((*job.idempotency, first, next_id - 1, time.time()))
            results.append(Commit(first, next_id - 1, rows(first, series, labels, ts, values)))
        if next_id > last + 1:
            await db.copy_records_to_table("points", records=chain.from_iterable(records), columns=COLUMNS)
            await db.execute("UPDATE event_ids SET last = $1", next_id - 1)
        if new_keys:
            await db.executemany(KEY_SQL, new_keys)
        return results


def replayed(idempotency: Idempotency, fingerprint: str, first: int, last: int) -> Commit | InvalidInput:
    """Return the commit a stored key stands for (no rows), or a refusal if it was another batch's."""
    if fingerprint != idempotency.fingerprint:
        return InvalidInput(
            f"Idempotency-Key {idempotency.key[:60]!r} was used for another batch; send a new key with a new batch",
            field="Idempotency-Key",
        )
    return Commit(first, last, (), replayed=True)
