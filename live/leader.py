"""One leader among the workers sharing a database: the worker that runs the feed and retention."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


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

    def release(self) -> None:
        """Give the lock up (closing the file drops it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
