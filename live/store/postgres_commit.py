"""What one PostgreSQL write transaction stores: ids taken under the counter's row lock, one COPY, idempotency keys.

Event ids that mean the same on every host (issue 18). Readers resume "after id N", so an id may
become visible only once every smaller id is: with a plain sequence, host A takes 11, host B takes
12 and commits first, a reader sees 12, resumes after 12, and skips 11 for ever. So ids come from
a one-row table, `event_ids`, locked with SELECT ... FOR UPDATE in the transaction that inserts
them and updated in it. The row lock is held until that transaction ends, and PostgreSQL makes a
commit visible before it lets go of its locks; so the next writer, on any host, reads the counter
only after the previous transaction is visible, and ids become visible in the order they are
handed out (tests/e2e/test_postgres_ids.py fails with ids taken outside the transaction). A
rollback takes its ids back (the counter is rolled back with the points): no gaps. The lock is
taken last, after the series are found or created, and held for the one COPY.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from itertools import chain, count

import asyncpg

from live.model import Commit, Idempotency, InvalidInput
from live.store.batches import Job
from live.store.sqlite_writer import rows

log = logging.getLogger(__name__)

COLUMNS = ("id", "series_id", "ts", "value")
KEY_SQL = "INSERT INTO idempotency_keys (key, fingerprint, first_id, last_id, created) VALUES ($1, $2, $3, $4, $5)"


async def insert(
    db: asyncpg.Connection,
    jobs: list[Job],
    columns: list[tuple],
    ids: dict[tuple[str, str], int],
    refused: dict[int, InvalidInput],
) -> list[Commit | InvalidInput | None]:
    """Take the next ids under the counter's row lock, and COPY every batch's points with them."""
    last = await db.fetchval("SELECT last FROM event_ids FOR UPDATE")
    # Keys read after the lock: a try of the same batch on another host committed before it.
    wanted_keys = [job.idempotency.key for job in jobs if job.idempotency is not None]
    stored = {}
    if wanted_keys:
        found = await db.fetch(
            "SELECT key, fingerprint, first_id, last_id FROM idempotency_keys WHERE key = ANY($1::text[])",
            wanted_keys,
        )
        stored = {key: (fingerprint, first, last_id) for key, fingerprint, first, last_id in found}
    results: list[Commit | InvalidInput | None] = []
    records: list[Iterable[tuple]] = []
    new_keys = []
    next_id = last + 1
    for index, (job, (series, ts, values, labels)) in enumerate(zip(jobs, columns, strict=True)):
        if index in refused:
            results.append(refused[index])
            continue
        if job.abandoned():  # its producer left while this transaction waited: still unwritten
            log.info("a batch of %d points was dropped unwritten: its producer had gone", len(job.points))
            results.append(None)
            continue
        if job.idempotency is not None and job.idempotency.key in stored:
            results.append(replayed(job.idempotency, *stored[job.idempotency.key]))
            continue
        first, next_id = next_id, next_id + len(series)
        series_ids = map(ids.__getitem__, zip(series, labels, strict=True))
        records.append(zip(count(first), series_ids, ts, values))
        if job.idempotency is not None:
            stored[job.idempotency.key] = (job.idempotency.fingerprint, first, next_id - 1)
            new_keys.append((*job.idempotency, first, next_id - 1, time.time()))
        results.append(Commit(first, next_id - 1, rows(first, series, labels, ts, values)))
    if next_id > last + 1:
        await db.copy_records_to_table("points", records=chain.from_iterable(records), columns=COLUMNS)
        await db.execute("UPDATE event_ids SET last = $1", next_id - 1)
    if new_keys:
        await db.executemany(KEY_SQL, new_keys)
    return results


def replayed(idempotency: Idempotency, fingerprint: str, first: int, last: int) -> Commit | InvalidInput:
    """Return the commit a stored key stands for (no rows), or a refusal if it was another batch's."""
    if fingerprint != idempotency.fingerprint:
        return InvalidInput(
            f"Idempotency-Key {idempotency.key[:60]!r} was used for another batch; send a new key with a new batch",
            field="Idempotency-Key",
        )
    return Commit(first, last, (), replayed=True)
