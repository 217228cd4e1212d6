"""One leader among the workers sharing a database: the worker that runs the feed and retention.

A SQLite file lives on one host, so a flock beside it is enough there. A PostgreSQL database is
shared by hosts: there the leader holds a session-level advisory lock on a connection of its own,
which PostgreSQL lets go of when that connection ends, however its process ended (a `kill -9`
closes its socket; the server notices at once).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import asyncpg

log = logging.getLogger(__name__)
# pg_advisory_lock key of the leader: "pulse", 3 (live/store/postgres_schema.py has 1 and 2).
LEADER_LOCK = 0x70756C7365_03


class Leader(Protocol):
    """What the runtime asks of a leadership lock."""

    @property
    def held(self) -> bool:
        """Whether this process leads now."""

    async def acquire(self) -> bool:
        """Take the lock if no other process holds it; return whether this process leads."""

    def release(self) -> None:
        """Give the lock up."""


class LeaderLock:
    """An exclusive, non-blocking flock on a file beside the database.

    The kernel drops the lock when its holder exits, however it exits, so a worker that
    dies hands leadership to the next one that tries; no stale lock files to clean up.
    """

    def __init__(self, database: str) -> None:
        # An in-memory database belongs to one process: that process leads.
        self.path = None if database == ":memory:" else Path(f"{database}.leader")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None or self.path is None

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; return whether this process leads."""
        if self.held:
            return True
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people: who leads now
        self._fd = fd
        return True

    async def acquire(self) -> bool:
        """Take the lock if no other process holds it; return whether this process leads."""
        return self.try_acquire()

    def release(self) -> None:
        """Give the lock up (closing the file drops it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class PostgresLeaderLock:
    """A session-level advisory lock on a connection kept open for as long as this process leads."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self._db: asyncpg.Connection | None = None

    @property
    def held(self) -> bool:
        return self._db is not None and not self._db.is_closed()

    async def acquire(self) -> bool:
        """Take the lock if no other session holds it; return whether this process leads."""
        if self.held:
            return True
        self._db = None
        try:
            db = await asyncpg.connect(self.url, timeout=self.timeout, command_timeout=self.timeout)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("cannot ask PostgreSQL who leads: %s", error)
            return False
        try:
            taken = await db.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("cannot ask PostgreSQL who leads: %s", error)
            taken = False
        if not taken:
            db.terminate()
            return False
        self._db = db
        return True

    def release(self) -> None:
        """Give the lock up: ending the session drops it."""
        db, self._db = self._db, None
        if db is not None:
            db.terminate()


async def lead(leader: Leader, work: Callable[[], Awaitable[None]], retry: float) -> None:
    """Run `work` while this process leads: wait to lead, and stop `work` when the lock is lost, then wait again.

    A PostgreSQL lock is lost with its connection (the server restarted, the network cut it):
    another host may lead by then, so the work stops here rather than run on two hosts.
    """
    while True:
        while not await leader.acquire():
            await asyncio.sleep(retry)
        task = asyncio.ensure_future(work())
        try:
            while leader.held:
                done, _ = await asyncio.wait({task}, timeout=retry)
                if done:
                    return task.result()
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        log.warning("this process no longer leads (the lock's connection ended); it waits to lead again")
