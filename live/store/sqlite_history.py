"""History reads of the SQLite store: a time range of some series, raw or through rollups, and exports.

Both walk the (series_id, ts) index of points (and the (series_id, bucket) key of rollups), so a
range costs what it holds, never a scan of other series or other times.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import numpy as np

from live.model import Row
from live.store import Ends
from live.store.sqlite_rollups import first_whole, widest

Fetch = Callable[[str, Sequence[object]], Awaitable[list[tuple]]]
Trace = tuple[np.ndarray, np.ndarray]

# A range's points where its ends do not cover a whole bucket, its buckets' lowest and highest
# in between (the highest left out where it is the same point as the lowest).
_ROLLED = (
    "SELECT series_id, ts, value FROM points WHERE series_id IN ({ids}) AND ts >= ?1 AND ts < ?2"
    " UNION ALL SELECT series_id, lo_ts, lo FROM rollups WHERE series_id IN ({ids}) AND width = ?7"
    " AND bucket >= ?3 AND bucket < ?4"
    " UNION ALL SELECT series_id, hi_ts, hi FROM rollups WHERE series_id IN ({ids}) AND width = ?7"
    " AND bucket >= ?3 AND bucket < ?4"
    " AND NOT (hi_ts = lo_ts AND hi = lo)"
    " UNION ALL SELECT series_id, ts, value FROM points WHERE series_id IN ({ids}) AND ts >= ?5 AND ts <= ?6"
)
_RAW = "SELECT series_id, ts, value FROM points WHERE series_id IN ({ids}) AND ts >= ?1 AND ts <= ?2"
_CHUNK = (
    "SELECT id, ts, value FROM points WHERE series_id = ?1 AND id <= ?2 AND ts >= ?4 AND ts <= ?3"
    " AND (ts, id) > (?4, ?5) ORDER BY ts, id LIMIT ?6"
)


# Per series its first point in [?1, ?2] and its last at or before ?2, each one step down the
# (series_id, ts) index (the rowid, the event id, orders equal times).
_ENDS = (
    "SELECT e.series_id, f.ts, f.value, l.ts, l.value FROM (SELECT id AS series_id,"
    " (SELECT id FROM points WHERE series_id = s.id AND ts >= ?1 AND ts <= ?2 ORDER BY ts, id LIMIT 1) AS first,"
    " (SELECT id FROM points WHERE series_id = s.id AND ts <= ?2 ORDER BY ts DESC, id DESC LIMIT 1) AS last"
    " FROM series s WHERE s.id IN ({ids})) e LEFT JOIN points f ON f.id = e.first LEFT JOIN points l ON l.id = e.last"
)


async def read_ends(fetch: Fetch, series: dict[int, str], start: float, end: float) -> dict[str, Ends]:
    """Return per series key (by its id) its first point in [start, end] and last at or before end, or None."""
    ids = ",".join(str(int(series_id)) for series_id in series)
    found = await fetch(_ENDS.format(ids=ids), (start, end))
    return {series[row[0]]: (_point(row[1], row[2]), _point(row[3], row[4])) for row in found}


def _point(ts: float | None, value: float | None) -> tuple[float, float] | None:
    return None if ts is None or value is None else (ts, value)


async def read_history(
    fetch: Fetch, series: dict[int, str], start: float, end: float, resolution: float, rollups_from: float
) -> dict[str, Trace]:
    """Return per series key (by its id) its points in [start, end] as (ts, values), ascending.

    With `resolution` of a bucket's width or more, whole buckets of the widest such width from
    `rollups_from` on come as their lowest and highest points only.
    """
    ids = ",".join(str(int(series_id)) for series_id in series)
    width = widest(resolution)
    first = max(first_whole(start, width), first_whole(rollups_from, width)) if width else 0
    last = int(end // width) if width else 0
    if width and last > first:
        args = (start, first * width, first, last, last * width, end, width)
        found = await fetch(_ROLLED.format(ids=ids), args)
    else:
        found = await fetch(_RAW.format(ids=ids), (start, end))
    # Off the event loop: a short range of a fast series is hundreds of thousands of rows to convert.
    return await asyncio.to_thread(_split, found, series)


def _split(found: list[tuple], series: dict[int, str]) -> dict[str, Trace]:
    """Return the rows (series id, ts, value) as each series' (ts, values), ascending."""
    table = np.array(found, dtype=float).reshape(-1, 3)
    # By series, then time: the union's parts come in any order.
    table = table[np.lexsort((table[:, 1], table[:, 0]))]
    order = sorted(series)
    bounds = np.searchsorted(table[:, 0], order).tolist() + [len(table)]
    traces = {}
    for index, series_id in enumerate(order):
        part = table[bounds[index] : bounds[index + 1]]
        traces[series[series_id]] = (part[:, 1].copy(), part[:, 2].copy())
    return traces


async def export_rows(
    fetch: Fetch, series: Sequence[tuple[int, str, str]], start: float, end: float, upto: int, chunk: int
) -> AsyncIterator[list[Row]]:
    """Yield the points of each (id, name, labels) series in [start, end], ids <= upto, by (ts, id), in chunks."""
    for series_id, name, labels in series:
        after: tuple[float, int] = (start, -1)  # (ts, id) > (start, -1): every point from start on
        while True:
            found = await fetch(_CHUNK, (series_id, upto, end, *after, chunk))
            if not found:
                break
            yield [Row(point_id, name, labels, ts, value) for point_id, ts, value in found]
            if len(found) < chunk:
                break
            after = (found[-1][1], found[-1][0])
