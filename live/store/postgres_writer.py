"""The PostgreSQL store's one writer per process: a queue, group commit, one COPY per transaction.

One transaction: the series found or created (postgres_series.py), then ids taken under the id
counter's row lock and every batch's points copied in (postgres_commit.py, which says why ids
handed out that way mean the same on every host).

What a producer can count on is what sqlite_writer.py says: an answer within the write deadline,
a batch whose producer has gone dropped unwritten, a bounded queue, idempotency keys. A 2xx is
sent only once COMMIT has returned; when PostgreSQL is down every batch fails with StorageError.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg

from live.model import Commit, InvalidInput
from live.store.batches import MAX_QUEUED_POINTS, BatchWriter, Job, answer, fail
from live.store.postgres_commit import insert
from live.store.postgres_series import series_ids

log = logging.getLogger(__name__)

# A batch's own fault: the others sharing its transaction are retried without it.
BATCH_ERRORS = (TypeError, ValueError, asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)
# Anything else (refused connection, server shut down, a broken socket) is the server's: every
# batch would meet it, and the connection is dropped to be made anew for the next batch.
SERVER_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class PostgresWriter(BatchWriter):
    """The writing connection (made anew after trouble) and the task that commits queued batches."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        timeout: float,
        max_points: int = MAX_QUEUED_POINTS,
        max_series: int | None = None,
    ) -> None:
        super().__init__(timeout=timeout, max_points=max_points)
        self.max_series = max_series
        self.db: asyncpg.Connection | None = None
        self._connect = connect
        self._series_ids: dict[tuple[str, str], int] = {}

    def start(self, name: str = "pulseboard-postgres-writer") -> None:
        """Start the task that commits queued batches."""
        super().start(name)

    async def stop(self) -> None:
        """Commit every queued batch, stop the task and close the connection."""
        await self._finish()
        await self._drop_connection()

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
        answer(jobs, results)

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
                ids, refused = await series_ids(db, self._series_ids, jobs, columns, self.max_series)
                results = await insert(db, jobs, columns, ids, refused)
        except BaseException:
            await self._drop_connection()  # rolls back on the server, whatever state the socket is in
            raise
        await transaction.commit()
        self._series_ids = ids  # only once committed: a rolled-back series id does not exist
        return results
