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

from collections.abc import Sequence

import aiosqlite
import numpy as np

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


FILL_ALL = _statements("true")  # an older file's points, once, at its upgrade
UPSERT = (
    "INSERT INTO rollups (series_id, width, bucket, n, lo_ts, lo, hi_ts, hi) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (series_id, width, bucket) DO UPDATE SET n = n + excluded.n,"
    " lo_ts = CASE WHEN excluded.lo < lo THEN excluded.lo_ts ELSE lo_ts END, lo = MIN(lo, excluded.lo),"
    " hi_ts = CASE WHEN excluded.hi > hi THEN excluded.hi_ts ELSE hi_ts END, hi = MAX(hi, excluded.hi)"
)


def extremes(series_ids: Sequence[int], ts: Sequence[float], values: Sequence[float]) -> list[tuple]:
    """Return a batch's rollup rows: per (series, width, bucket) its count, lowest and highest point.

    numpy, from the batch the writer holds: a sort of the batch per width, then one upsert per
    bucket touched, where SQL's GROUP BY over the rows just inserted cost 2.5 times the insert.
    """
    sid = np.asarray(series_ids, dtype=np.int64)
    when = np.asarray(ts, dtype=float)
    value = np.asarray(values, dtype=float)
    rows: list[tuple] = []
    for width in WIDTHS:
        bucket = np.floor(when / width).astype(np.int64)
        order = np.lexsort((value, bucket, sid))  # by series, bucket, then value: first lowest, last highest
        s, b = sid[order], bucket[order]
        starts = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (b[1:] != b[:-1])])
        ends = np.r_[starts[1:], len(order)] - 1
        lo, hi = order[starts], order[ends]
        rows += zip(
            s[starts].tolist(), [width] * len(starts), b[starts].tolist(), (ends - starts + 1).tolist(),
            when[lo].tolist(), value[lo].tolist(), when[hi].tolist(), value[hi].tolist(), strict=True,
        )
    return rows


async def roll_up(
    db: aiosqlite.Connection, series_ids: Sequence[int], ts: Sequence[float], values: Sequence[float]
) -> None:
    """Merge a transaction's points (just inserted) into their buckets."""
    await db.executemany(UPSERT, extremes(series_ids, ts, values))


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
