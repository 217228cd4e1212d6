"""The PostgreSQL store's series: ids of (name, labels) pairs, found or created inside the writer's transaction.

Series are created under a transaction-level advisory lock (SERIES_LOCK): hosts creating the same
new series in other orders would otherwise deadlock on the unique index, and MAX_SERIES is counted
under it, so hosts cannot together pass the limit. New series get ids in the order they first
appear: screens list series in id order.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain

import asyncpg

from live.model import InvalidInput
from live.store.batches import Job
from live.store.postgres_schema import SERIES_LOCK

LOOK_UP_SQL = (
    "SELECT s.id, s.name, s.labels FROM unnest($1::text[], $2::text[]) AS k (name, labels)"
    " JOIN series s USING (name, labels)"
)
CREATE_SQL = (
    "INSERT INTO series (name, labels) SELECT name, labels FROM unnest($1::text[], $2::text[])"
    " WITH ORDINALITY AS k (name, labels, n) ORDER BY n ON CONFLICT DO NOTHING"
)


async def look_up(db: asyncpg.Connection, keys: list[tuple[str, str]], ids: dict[tuple[str, str], int]) -> None:
    """Add the ids of the stored series among `keys` to `ids`."""
    if keys:
        names, labels = zip(*keys, strict=True)
        found = await db.fetch(LOOK_UP_SQL, names, labels)
        ids.update(((name, labels), series_id) for series_id, name, labels in found)


async def series_ids(
    db: asyncpg.Connection,
    known: Mapping[tuple[str, str], int],
    jobs: list[Job],
    columns: list[tuple],
    max_series: int | None,
) -> tuple[dict[tuple[str, str], int], dict[int, InvalidInput]]:
    """Return the series id of every key the batches name, creating the new ones each batch may,
    and why the batches that would pass MAX_SERIES are refused (by their index)."""
    ids = dict(known)
    refused: dict[int, InvalidInput] = {}
    keys = chain.from_iterable(zip(series, labels, strict=True) for series, _, _, labels in columns)
    missing = [key for key in dict.fromkeys(keys) if key not in ids]
    await look_up(db, missing, ids)
    if all(key in ids for key in missing):
        return ids, refused
    await db.execute("SELECT pg_advisory_xact_lock($1)", SERIES_LOCK)
    await look_up(db, [key for key in missing if key not in ids], ids)  # another host's, meanwhile
    stored = await db.fetchval("SELECT count(*) FROM series") if max_series is not None else 0
    for index, (series, _, _, labels) in enumerate(columns):
        if jobs[index].abandoned():
            continue  # dropped unwritten: its series are not created either
        wanted = [key for key in dict.fromkeys(zip(series, labels, strict=True)) if key not in ids]
        if not wanted:
            continue
        if max_series is not None and stored + len(wanted) > max_series:
            refused[index] = InvalidInput(
                f"this batch would create {len(wanted)} new series, and {stored} of the {max_series} "
                f"allowed (PULSEBOARD_MAX_SERIES) exist: first new one {wanted[0][0]!r}; points of existing "
                "series are still accepted",
                field="series",
            )
            continue
        names, labels_ = zip(*wanted, strict=True)
        await db.execute(CREATE_SQL, names, labels_)
        await look_up(db, wanted, ids)
        stored += len(wanted)
    return ids, refused
