"""Where points are kept: the Store protocol, its one error, and the backend a URL chooses.

Event ids are the store's: contiguous within a commit, increasing from commit to commit, and
visible to readers in id order, so "after N" means the same thing on every worker.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Protocol

from live.model import Commit, Idempotency, Point, Row

Ends = tuple[tuple[float, float] | None, tuple[float, float] | None]  # Store.ends: (first, last) of a range

# A URL scheme of two letters or more ("sqlite:", "postgresql:"); one letter would be a drive.
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


class StorageError(Exception):
    """The store could not do it (locked too long, disk full, gone): nothing was stored."""


class Store(Protocol):
    """Points in, committed rows and windows out; ids are event ids."""

    database_id: str

    async def open(self) -> None:
        """Create or upgrade the storage and get ready to write."""

    async def close(self) -> None:
        """Finish queued writes and let go of every resource."""

    async def insert(
        self,
        points: list[Point],
        *,
        producer: asyncio.Task[object] | None = None,
        idempotency: Idempotency | None = None,
    ) -> Commit:
        """Store the points in one transaction with contiguous ids; raise StorageError if nothing was.

        A batch whose `producer` is done or cancelled before it is written is dropped; a batch
        whose idempotency key was stored before is not stored again: the commit then has that
        batch's ids, no rows, and `replayed` set.
        """

    async def last_id(self) -> int:
        """Return the newest event id, 0 when nothing was ever stored."""

    async def resume_floor(self) -> int:
        """Return the lowest cursor whose windows retention has left whole, 0 if it deleted nothing."""

    async def series(self) -> list[tuple[str, str]]:
        """Return every series' name and canonical labels, first created first."""

    async def windows(self, upto: int, limit: int, keys: Collection[str] | None = None) -> dict[str, list[Row]]:
        """Return per series key (of `keys`, else every one) its newest `limit` points by (ts, id) among ids <= upto.

        Points ascending; a series with no point <= upto is left out.
        """

    async def between(self, after: int, upto: int) -> list[Row]:
        """Return the rows with after < id <= upto, in id order."""

    async def history(
        self, keys: Sequence[str], start: float, end: float, resolution: float
    ) -> dict[str, tuple[Sequence[float], Sequence[float]]]:
        """Return per series key (times, values) of its points with start <= ts <= end, ascending by (ts, id).

        For a long range a backend need not return every point: within any span of time of at
        most `resolution` seconds it may return only that span's lowest and highest point (stored
        points both, so a spike or dip of one point is never lost), as the caller draws about two
        points per `resolution` anyway (live/downsample.py reduces what comes to that). A key
        with no points in the range maps to empty sequences; keys that name no series are left out.
        """

    async def ends(self, keys: Sequence[str], start: float, end: float) -> dict[str, Ends]:
        """Return per series key its first point in [start, end] and its last at or before end, as (ts, value).

        Either is None when there is none (the last may be older than start: the value in force
        at the range's end, as a stat panel shows it). Keys that name no series are left out.
        """

    def export(
        self, keys: Sequence[str], start: float, end: float, *, chunk: int = 10_000
    ) -> AsyncIterator[list[Row]]:
        """Yield every stored point of the series with start <= ts <= end, at most `chunk` rows at a time.

        Series by series in the order of `keys` (unknown ones skipped), each by (ts, id); only
        points with ids up to the newest when the export began (what was stored then, though more
        arrives meanwhile). Each chunk is one read: memory stays flat however long the range.
        """

    async def purge(self, older_than: float, keep: int) -> int:
        """Delete points with ts < older_than except each series' newest `keep` by (ts, id); return how many."""

    async def ping(self) -> None:
        """Return if the store answers and takes writes; raise StorageError naming why not."""


def store_from_url(url: str, *, write_timeout: float = 5.0, max_series: int | None = None) -> Store:
    """Return the store a URL names: "postgresql://user@host/db", or SQLite's "sqlite:///abs/path",
    "sqlite:relative/path", a plain path or ":memory:".

    `write_timeout`: seconds a batch may wait to be written before it fails, unwritten.
    `max_series`: how many series may exist; a batch that would create more is refused whole.
    """
    if is_postgres(url):
        if "://" not in url:
            raise ValueError(f"a PostgreSQL URL is postgresql://user@host:port/database, got {url!r}")
        from live.store.postgres import PostgresStore

        return PostgresStore(url, write_timeout=write_timeout, max_series=max_series)
    path = sqlite_path(url)
    # Imported here: the backend imports StorageError from this module.
    from live.store.sqlite import SQLiteStore

    return SQLiteStore(path, write_timeout=write_timeout, max_series=max_series)


def is_postgres(url: str) -> bool:
    """Return whether a storage URL names a PostgreSQL database."""
    match = SCHEME.match(url)
    return bool(match) and match.group(1).lower() in ("postgresql", "postgres")


def sqlite_path(url: str) -> str:
    """Return the SQLite file a storage URL names; raise ValueError for any other URL."""
    match = SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in ("postgresql", "postgres"):
        raise ValueError(f"{url!r} is a PostgreSQL database, not a SQLite file")
    if scheme == "sqlite":
        path = url[len("sqlite:") :]
        if path.startswith("//"):
            # sqlite:///abs/path: an empty host, then the absolute path.
            if not path.startswith("///"):
                raise ValueError(f"a sqlite URL has no host: {url!r}; write sqlite:///absolute/path")
            path = path[2:]
    elif scheme:
        raise ValueError(f"unknown storage URL {url!r}: use sqlite:///path, sqlite:relative/path or a path")
    else:
        path = url
    if not path:
        raise ValueError(f"storage URL {url!r} names no file")
    return path
