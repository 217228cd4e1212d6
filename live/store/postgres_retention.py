"""Retention in PostgreSQL: per series, deletes in bounded batches walking the (series_id, ts, id) index."""

from __future__ import annotations

import asyncpg

# Rows one DELETE takes at most: each is a short transaction, so ingest and replication never
# wait behind one huge delete, and a purge interrupted half-way has still done its part.
DELETE_BATCH = 10_000


async def purge_series(db: asyncpg.Connection, series_id: int, older_than: float, keep: int) -> int:
    """Delete the series' points older than the cutoff but its newest `keep`, and raise the resume floor."""
    oldest_kept = await db.fetchrow(
        "SELECT ts, id FROM points WHERE series_id = $1 ORDER BY ts DESC, id DESC LIMIT 1 OFFSET $2",
        series_id,
        keep - 1,
    )
    if oldest_kept is None:
        return 0  # fewer than `keep` points: all of them stay
    cutoff = min((older_than, -1), (oldest_kept["ts"], oldest_kept["id"]))
    doomed = await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM points WHERE series_id = $1 AND (ts, id) < ($2, $3))", series_id, *cutoff
    )
    if not doomed:
        return 0
    # The floor is raised first, from what will be kept: a purge cut short between its deletes
    # leaves screens below the floor reset rather than caught up from a window with holes.
    # As sqlite.py's purge_series says, the keep-th kept id in ascending order is that floor.
    floor = await db.fetchval(
        "SELECT id FROM points WHERE series_id = $1 AND (ts, id) >= ($2, $3) ORDER BY id LIMIT 1 OFFSET $4",
        series_id,
        *cutoff,
        keep - 1,
    )
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('resume_floor', $1) ON CONFLICT (key) DO UPDATE"
        " SET value = GREATEST(meta.value::bigint, excluded.value::bigint)::text",
        str(floor),
    )
    deleted = 0
    while True:
        # The oldest DELETE_BATCH rows below the cutoff, found on the index, deleted by primary key.
        status = await db.execute(
            "DELETE FROM points WHERE id = ANY (ARRAY(SELECT id FROM points WHERE series_id = $1"
            " AND (ts, id) < ($2, $3) ORDER BY series_id, ts, id LIMIT $4))",
            series_id,
            *cutoff,
            DELETE_BATCH,
        )
        count = int(status.split()[-1])
        deleted += count
        if count < DELETE_BATCH:
            return deleted
