"""PostgreSQL ingest (issue 18): 5,000-point batches through the store, and through POST /api/points on a
PostgreSQL-backed uvicorn, against raw asyncpg copy_records_to_table of the same rows; the SQLite row beside it.

    python -m benchmarks.postgres_ingest [--batches 41] [--server postgresql://postgres@127.0.0.1:5432/postgres]

Every pass runs on a fresh database of its own (made and dropped on the server given). The raw pass
is what the store's writer does at least, with nothing around it: per batch, a transaction and one
COPY of (id, series_id, ts, value) rows, ids counted on the client; the median of three. The store
and HTTP passes send their batches from 4 concurrent producers, as benchmarks/ingest.py does for
SQLite, the first batch a warm-up. Prints a JSON line of the figures, then the BENCHMARKS.md rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from itertools import count
from pathlib import Path

import asyncpg

from benchmarks.ingest import BATCH, SERIES, batch_rows, post_all, raw_executemany
from benchmarks.servers import Target
from live.model import Point
from live.store.postgres import PostgresStore
from live.store.postgres_commit import COLUMNS
from live.store.postgres_schema import prepare
from tests.support.postgres import SERVER, fresh_database

SENDERS = 4


async def raw_copy(url: str, batches: list[list[tuple[str, float, float]]]) -> float:
    """COPY the batches, a transaction each, into the store's own schema; return points/s."""
    db = await asyncpg.connect(url)
    try:
        await prepare(db)
        await db.executemany("INSERT INTO series (name) VALUES ($1)", [(name,) for name in SERIES])
        ids = dict(await db.fetch("SELECT name, id FROM series"))
        next_id = count(1)
        started = time.perf_counter()
        for rows in batches:
            async with db.transaction():
                records = [(next(next_id), ids[s], ts, v) for s, ts, v in rows]
                await db.copy_records_to_table("points", records=records, columns=COLUMNS)
        return sum(map(len, batches)) / (time.perf_counter() - started)
    finally:
        await db.close()


async def through_store(url: str, batches: list[list[tuple[str, float, float]]]) -> float:
    """Insert the batches (the first a warm-up) through PostgresStore from a few producers; return points/s."""
    store = PostgresStore(url)
    await store.open()
    try:
        points = [[Point(s, ts, v) for s, ts, v in rows] for rows in batches]
        await store.insert(points[0])
        queue = list(range(1, len(points)))

        async def producer() -> None:
            while queue:
                await store.insert(points[queue.pop(0)])

        started = time.perf_counter()
        await asyncio.gather(*(producer() for _ in range(SENDERS)))
        return (len(points) - 1) * BATCH / (time.perf_counter() - started)
    finally:
        await store.close()


async def measure(batches: int, server: str, http: bool = True) -> dict[str, float]:
    """Return points/s of every pass, in one run."""
    now = time.time()
    rows = [batch_rows(b, now) for b in range(batches)]
    figures: dict[str, float] = {"points": (batches - 1) * BATCH}
    raws = []
    for _ in range(3):
        with fresh_database(server) as url:
            raws.append(await raw_copy(url, rows[1:]))
    figures["raw_copy"] = statistics.median(raws)
    with fresh_database(server) as url:
        figures["store"] = await through_store(url, rows)
    if http:
        bodies = [
            json.dumps({"points": [{"series": s, "ts": ts, "value": v} for s, ts, v in batch]}).encode()
            for batch in rows
        ]
        headers = {"Content-Type": "application/json"}
        with tempfile.TemporaryDirectory() as tmp, fresh_database(server) as url:
            target = Target("pulseboard-postgres", "Pulseboard on PostgreSQL", "app:server", "sse",
                            (("PULSEBOARD_DATABASE", url),))  # fmt: skip
            figures["http_postgres"] = await post_all(Path(tmp), "/api/points", bodies, headers, SENDERS, target)
        with tempfile.TemporaryDirectory() as tmp:
            figures["http_sqlite"] = await post_all(Path(tmp), "/api/points", bodies, headers, SENDERS)
            figures["raw_sqlite"] = statistics.median(
                raw_executemany(Path(tmp) / f"raw{i}.sqlite3", rows[1:]) for i in range(3)
            )
    return figures


def rows_md(f: dict[str, float]) -> str:
    """Return the BENCHMARKS.md rows of one run."""
    lines = [
        f"| PostgreSQL, through the store ({SENDERS} producers) | {f['store']:,.0f} points/s"
        f" | {f['raw_copy']:,.0f} points/s | {f['store'] / f['raw_copy']:.0%} | ≥40% of raw |"
    ]
    if "http_postgres" in f:
        lines.append(
            f"| PostgreSQL, POST /api/points ({SENDERS} senders) | {f['http_postgres']:,.0f} points/s"
            f" | {f['raw_copy']:,.0f} points/s | {f['http_postgres'] / f['raw_copy']:.0%} | – |"
        )
        lines.append(
            f"| SQLite, POST /api/points ({SENDERS} senders; raw: sqlite3 executemany)"
            f" | {f['http_sqlite']:,.0f} points/s"
            f" | {f['raw_sqlite']:,.0f} points/s | {f['http_sqlite'] / f['raw_sqlite']:.0%} | ≥40% of raw |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=41, help="5,000-point batches (the first a warm-up)")
    parser.add_argument("--server", default=SERVER, help="the PostgreSQL server's maintenance database URL")
    parser.add_argument("--no-http", action="store_true", help="only the store against raw COPY")
    options = parser.parse_args()
    figures = asyncio.run(measure(options.batches, options.server, http=not options.no_http))
    print(json.dumps(figures))
    print(rows_md(figures))


if __name__ == "__main__":
    main()
