"""What the PostgreSQL store reads, one function per Store read: SQL in, rows out (a new read is one more here)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import groupby, repeat
from operator import itemgetter

import asyncpg

from live.model import Row, series_key
from live.store import Ends

# Per series, in series id order (first seen first), its newest `limit` points among ids <= upto:
# the lateral subquery walks down that series' end of the (series_id, ts, id) index.
WINDOWS_SQL = (
    "SELECT s.id, p.id, s.name, s.labels, p.ts, p.value FROM series s CROSS JOIN LATERAL ("
    "SELECT id, ts, value FROM points WHERE series_id = s.id AND id <= $1 ORDER BY ts DESC, id DESC LIMIT $2) p"
    " ORDER BY s.id, p.ts, p.id"
)
# The same for the series of the given ids only: what one page shows, not every series.
SOME_WINDOWS_SQL = WINDOWS_SQL.replace(" ORDER BY s.id,", " WHERE s.id = ANY($3::bigint[]) ORDER BY s.id,")
SERIES_SQL = "SELECT id, name, labels FROM series ORDER BY id"
BETWEEN_SQL = (
    "SELECT p.id, s.name, s.labels, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
    " WHERE p.id > $1 AND p.id <= $2 ORDER BY p.id"
)


async def last_id(db: asyncpg.Connection) -> int:
    """Return the newest event id: the counter is committed with the points it handed out."""
    return await db.fetchval("SELECT last FROM event_ids")


async def resume_floor(db: asyncpg.Connection) -> int:
    """Return the resume floor retention left, 0 if it deleted nothing."""
    found = await db.fetchval("SELECT value FROM meta WHERE key = 'resume_floor'")
    return int(found) if found is not None else 0


async def series(db: asyncpg.Connection) -> list[tuple[str, str]]:
    """Return every series' name and labels, first created first."""
    return [(name, labels) for _, name, labels in await db.fetch(SERIES_SQL)]


async def windows(
    db: asyncpg.Connection, upto: int, limit: int, keys: Collection[str] | None = None
) -> dict[str, list[Row]]:
    """Return per series key (of `keys`, else every one) its newest `limit` points by (ts, id) among ids <= upto."""
    if limit < 1 or (keys is not None and not keys):
        return {}
    if keys is None:
        found = await db.fetch(WINDOWS_SQL, upto, limit)
    else:
        every = await db.fetch(SERIES_SQL)
        wanted = [series_id for series_id, name, labels in every if series_key(name, labels) in keys]
        found = await db.fetch(SOME_WINDOWS_SQL, upto, limit, wanted)
    return {
        series_key(name, labels): [Row(*record[1:]) for record in records]
        for (_, name, labels), records in groupby(found, itemgetter(0, 2, 3))
    }


async def between(db: asyncpg.Connection, after: int, upto: int) -> list[Row]:
    """Return the rows with after < id <= upto, in id order."""
    return list(map(tuple.__new__, repeat(Row), await db.fetch(BETWEEN_SQL, after, upto)))


async def series_ids(db: asyncpg.Connection, keys: Sequence[str]) -> list[tuple[int, str, str]]:
    """Return (id, name, labels) of the series `keys` name, in the keys' order (unknown ones left out)."""
    every = await db.fetch(SERIES_SQL)
    known = {series_key(name, labels): (series_id, name, labels) for series_id, name, labels in every}
    return [known[key] for key in keys if key in known]


async def history(
    db: asyncpg.Connection, series: Sequence[tuple[int, str, str]], start: float, end: float
) -> dict[str, tuple[list[float], list[float]]]:
    """Return per series key every point in [start, end] as (times, values), by (ts, id).

    Raw points on PostgreSQL (no rollups yet): the contract allows every point, and the route
    downsamples them (live/downsample.py); the (series_id, ts, id) index serves the range.
    """
    keys = {series_id: series_key(name, labels) for series_id, name, labels in series}
    traces: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in keys.values()}
    found = await db.fetch(
        "SELECT series_id, ts, value FROM points WHERE series_id = ANY($1::bigint[]) AND ts >= $2 AND ts <= $3"
        " ORDER BY series_id, ts, id",
        list(keys), start, end,
    )
    for series_id, ts, value in found:
        times, values = traces[keys[series_id]]
        times.append(ts)
        values.append(value)
    return traces


async def ends(
    db: asyncpg.Connection, series: Sequence[tuple[int, str, str]], start: float, end: float
) -> dict[str, Ends]:
    """Return per series key its first point in [start, end] and its last at or before end, or None."""
    keys = {series_id: series_key(name, labels) for series_id, name, labels in series}
    found = await db.fetch(
        "SELECT s.id, f.ts, f.value, l.ts, l.value FROM unnest($1::bigint[]) AS s(id)"
        " LEFT JOIN LATERAL (SELECT ts, value FROM points WHERE series_id = s.id AND ts >= $2 AND ts <= $3"
        " ORDER BY ts, id LIMIT 1) f ON true"
        " LEFT JOIN LATERAL (SELECT ts, value FROM points WHERE series_id = s.id AND ts <= $3"
        " ORDER BY ts DESC, id DESC LIMIT 1) l ON true",
        list(keys), start, end,
    )
    return {
        keys[series_id]: (None if f_ts is None else (f_ts, f_value), None if l_ts is None else (l_ts, l_value))
        for series_id, f_ts, f_value, l_ts, l_value in found
    }


async def export_chunk(
    db: asyncpg.Connection, series_id: int, upto: int, end: float, after: tuple[float, int], chunk: int
) -> list[tuple[int, float, float]]:
    """Return up to `chunk` (id, ts, value) of a series after `after` (ts, id), by (ts, id), to `end` and id `upto`."""
    found = await db.fetch(
        "SELECT id, ts, value FROM points WHERE series_id = $1 AND id <= $2 AND ts <= $3 AND (ts, id) > ($4, $5)"
        " ORDER BY ts, id LIMIT $6",
        series_id, upto, end, after[0], after[1], chunk,
    )
    return [tuple(record) for record in found]
