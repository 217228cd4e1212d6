"""Each series' lowest and highest point per bucket of 10 s and of 60 s, kept by the writer with the points.

A history read of a long range (24 h of a point a second is 86,400 points a series) reads these
instead of every point: SQLite hands Python about a million rows a second here, so ten series of
100,000 points cost a second to read, and their 60 s rollups 35 times less (BENCHMARKS.md,
History). The lowest and the highest are real stored points, so a spike or a dip of one point
is never averaged away.

Retention deletes points, not rollups: it raises `rollups_from` (in meta) past the buckets it
may have cut, and reads use rollups only from there; older time is read from the points.
"""

from __future__ import annotations

import aiosqlite

WIDTHS = (10, 60)  # seconds a bucket spans: bucket k of width w holds k*w <= ts < (k+1)*w
WIDTH = WIDTHS[0]
ROLLUPS = """CREATE TABLE IF NOT EXISTS rollups (
    series_id INTEGER NOT NULL,
    width INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    lo_ts REAL NOT NULL,
    lo REAL NOT NULL,
    hi_ts REAL NOT NULL,
    hi REAL NOT NULL,
    PRIMARY KEY (series_id, width, bucket)
) WITHOUT ROWID"""
# Two statements a width, as SQLite takes a bare column (ts) from the row of the one MIN() or
# MAX() of a query: the first counts and keeps the lowest (and, for a new bucket, that point as
# its highest too), the second raises the highest. Both merge into buckets earlier batches wrote.
# ts is positive: CAST's truncation is floor.
_LOWEST = (
    "INSERT INTO rollups (series_id, width, bucket, n, lo_ts, lo, hi_ts, hi) SELECT series_id, {w},"
    " CAST(ts / {w} AS INTEGER) AS b, COUNT(*), ts, MIN(value), ts, MIN(value) FROM points WHERE {where}"
    " GROUP BY series_id, b ON CONFLICT (series_id, width, bucket) DO UPDATE SET n = n + excluded.n,"
    " lo_ts = CASE WHEN excluded.lo < lo THEN excluded.lo_ts ELSE lo_ts END, lo = MIN(lo, excluded.lo)"
)
_HIGHEST = (
    "INSERT INTO rollups (series_id, width, bucket, n, lo_ts, lo, hi_ts, hi) SELECT series_id, {w},"
    " CAST(ts / {w} AS INTEGER) AS b, 0, ts, MAX(value), ts, MAX(value) FROM points WHERE {where}"
    " GROUP BY series_id, b ON CONFLICT (series_id, width, bucket) DO UPDATE SET"
    " hi_ts = CASE WHEN excluded.hi > hi THEN excluded.hi_ts ELSE hi_ts END, hi = MAX(hi, excluded.hi)"
)


def _statements(where: str) -> tuple[str, ...]:
    return tuple(sql.format(w=width, where=where) for width in WIDTHS for sql in (_LOWEST, _HIGHEST))


FILL_ALL = _statements("true")
_FILL_IDS = _statements("id BETWEEN ?1 AND ?2")


async def roll_up(db: aiosqlite.Connection, first: int, last: int) -> None:
    """Merge the points with ids first..last (one transaction's, just inserted) into their buckets."""
    for statement in _FILL_IDS:
        await db.execute(statement, (first, last))


async def cut_at(db: aiosqlite.Connection, older_than: float) -> None:
    """Stop trusting rollups of buckets retention may cut: those starting before `older_than`."""
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('rollups_from', ?) ON CONFLICT (key) DO UPDATE"
        " SET value = MAX(CAST(value AS REAL), CAST(excluded.value AS REAL))",
        (older_than,),
    )


async def drop_before(db: aiosqlite.Connection, series_id: int, older_than: float) -> None:
    """Delete a series' rollups of buckets starting before `older_than` (by its key: never a whole-table scan)."""
    for width in WIDTHS:
        await db.execute(
            "DELETE FROM rollups WHERE series_id = ? AND width = ? AND bucket < ?",
            (series_id, width, first_whole(older_than, width)),
        )


def first_whole(since: float, width: int) -> int:
    """Return the first bucket of `width` that starts at or after `since`."""
    return int(-(-since // width))


def widest(resolution: float) -> int | None:
    """Return the widest bucket no wider than `resolution` seconds, None if even 10 s is."""
    fitting = [width for width in WIDTHS if width <= resolution]
    return max(fitting) if fitting else None
