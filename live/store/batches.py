"""The one writer's queue, shared by the backends: batches in, group commit, an answer for each by its deadline.

What a producer can count on, whatever the backend: an answer within the write deadline, a batch
whose producer has gone dropped unwritten, a queue bounded in points, and several batches that
queued meanwhile committed in one transaction. A backend says how a group is written (`_write_jobs`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from live.model import Commit, Idempotency, Point
from live.store import StorageError

log = logging.getLogger(__name__)

MAX_BATCHES_PER_COMMIT = 64
# Points waiting to be written, at most: ten full batches, a fraction of a second of the writer's work.
MAX_QUEUED_POINTS = 100_000


class Job:
    """One batch waiting for the writer: its points, its caller's future, and what decides whether to write it."""

    __slots__ = ("points", "future", "producer", "idempotency", "deadline")

    def __init__(
        self,
        points: list[Point],
        future: asyncio.Future[Commit],
        producer: asyncio.Task[object] | None,
        idempotency: Idempotency | None,
        deadline: float,
    ) -> None:
        self.points = points
        self.future = future
        self.producer = producer
        self.idempotency = idempotency
        self.deadline = deadline

    def abandoned(self) -> bool:
        """Return whether nobody waits for this batch any more (its future or its producer was cancelled)."""
        producer = self.producer
        return self.future.done() or (producer is not None and (producer.done() or producer.cancelling() > 0))


def fail(jobs: Iterable[Job], error: BaseException, message: str = "") -> None:
    """Fail the batches' callers with a StorageError caused by `error` (one exception each)."""
    for job in jobs:
        if not job.future.done():
            failure = StorageError(message or str(error) or type(error).__name__)
            failure.__cause__ = error
            job.future.set_exception(failure)


def answer(jobs: Iterable[Job], results: Iterable[Commit | Exception | None]) -> None:
    """Answer each batch's caller with what its write gave: a commit, an error, or None (dropped unwritten)."""
    for job, result in zip(jobs, results, strict=True):
        if job.future.done():
            continue
        if result is None:
            job.future.cancel()
        elif isinstance(result, Exception):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)


class BatchWriter:
    """The queue of batches and the task that commits them, a group at a time (`_write_jobs` writes a group)."""

    def __init__(self, *, timeout: float, max_points: int = MAX_QUEUED_POINTS) -> None:
        self.timeout = timeout
        self.max_points = max_points
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._queued_points = 0
        self._task: asyncio.Task[None] | None = None

    def start(self, name: str = "pulseboard-writer") -> None:
        """Start the task that commits queued batches."""
        self._task = asyncio.create_task(self._write_forever(), name=name)

    async def _finish(self) -> None:
        """Commit every queued batch, then stop the task."""
        if self._task is not None:
            await self._jobs.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def insert(
        self,
        points: list[Point],
        *,
        producer: asyncio.Task[object] | None = None,
        idempotency: Idempotency | None = None,
    ) -> Commit:
        """Queue the points, and return them as committed in one transaction.

        Dropped unwritten if `producer` is cancelled or done before the writer writes them.
        Raises StorageError (nothing stored) when the queue is full or the deadline passes.
        """
        if self._queued_points and self._queued_points + len(points) > self.max_points:
            raise StorageError(f"the write queue is full ({self._queued_points} points wait to be written)")
        future: asyncio.Future[Commit] = asyncio.get_running_loop().create_future()
        self._jobs.put_nowait(Job(points, future, producer, idempotency, time.monotonic() + self.timeout))
        self._queued_points += len(points)
        # shield: a caller cancelled while waiting must not cancel the write for the others.
        return await asyncio.shield(future)

    async def _write_jobs(self, jobs: list[Job]) -> None:
        """Write a group of batches, answering each one's future."""
        raise NotImplementedError

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
                # The one writer outlives anything a group meets: its callers hear of it, the log keeps it.
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
