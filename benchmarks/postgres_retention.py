"""PostgreSQL retention at scale (issue 18): one purge of a table of 10 million points, and what ingest sees meanwhile.

    python -m benchmarks.postgres_retention [--rows 10000000] [--series 100] [--old 0.1]

A fresh database gets the store's schema and `--rows` points over `--series` series, one point a
second per series, ids in time order, loaded server-side (generate_series) and then analysed. The
cutoff makes the oldest `--old` share of every series older than retention. `PostgresStore.purge`
then runs (keeping the default window of 1,000 points a series) while a producer inserts a
500-point batch every 100 ms through the same store; it prints the purge's time and rate, and the
producer's insert latency before and during the purge, as a JSON line and a BENCHMARKS.md row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import asyncpg

from live.model import Point
from live.store.postgres import PostgresStore
from live.store.postgres_schema import prepare
from tests.support.postgres import SERVER, fresh_database

KEEP = 1000
T0 = 1.7e9


async def load(url: str, rows: int, series: int) -> None:
    """Fill the schema with `rows` points, series i's k-th point at T0 + k seconds, ids in time order."""
    db = await asyncpg.connect(url, command_timeout=3600)
    try:
        await prepare(db)
        await db.execute("INSERT INTO series (name) SELECT 'load.' || g FROM generate_series(1, $1) g", series)
        # Without the index while loading, then built once: what a restore would do.
        await db.execute("DROP INDEX points_by_series_ts")
        await db.execute(
            "INSERT INTO points (id, series_id, ts, value)"
            " SELECT g, (g - 1) % $2 + 1, $3 + (g - 1) / $2, g FROM generate_series(1, $1::bigint) g",
            rows,
            series,
            T0,
        )
        await db.execute("CREATE INDEX points_by_series_ts ON points (series_id, ts, id)")
        await db.execute("UPDATE event_ids SET last = $1", rows)
        await db.execute("VACUUM ANALYZE points")
    finally:
        await db.close()


async def produce(store: PostgresStore, latencies: list[float], stop: asyncio.Event) -> None:
    """Insert a 500-point batch every 100 ms until told to stop; note each insert's latency."""
    batch = 0
    while not stop.is_set():
        now = time.time()
        points = [Point(f"live.{i % 10}", now + i * 1e-6, float(i)) for i in range(500)]
        started = time.perf_counter()
        await store.insert(points)
        latencies.append(time.perf_counter() - started)
        batch += 1
        await asyncio.sleep(0.1)


def p(values: list[float], share: float) -> float:
    """Return a percentile in ms."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(rows: int, series: int, old: float, server: str) -> dict[str, float]:
    """Load, then purge with a producer running; return the figures."""
    with fresh_database(server) as url:
        started = time.perf_counter()
        await load(url, rows, series)
        loaded = time.perf_counter() - started
        store = PostgresStore(url, write_timeout=30)
        await store.open()
        try:
            per_series = rows // series
            cutoff = T0 + int(per_series * old)
            before: list[float] = []
            stop = asyncio.Event()
            producer = asyncio.create_task(produce(store, before, stop))
            await asyncio.sleep(3)
            during: list[float] = []
            producer.cancel()
            stop.clear()
            producer = asyncio.create_task(produce(store, during, stop))
            started = time.perf_counter()
            deleted = await store.purge(cutoff, KEEP)
            took = time.perf_counter() - started
            stop.set()
            await producer
            remaining = (await store._fetch("SELECT count(*) FROM points"))[0][0]
        finally:
            await store.close()
    return {
        "rows": rows,
        "series": series,
        "load_s": loaded,
        "deleted": deleted,
        "purge_s": took,
        "deleted_per_s": deleted / took,
        "remaining": remaining,
        "insert_p50_before_ms": p(before, 0.5),
        "insert_max_before_ms": max(before) * 1000,
        "insert_p50_during_ms": p(during, 0.5),
        "insert_p99_during_ms": p(during, 0.99),
        "insert_max_during_ms": max(during) * 1000,
        "inserts_during": len(during),
        "insert_median_ratio": statistics.median(during) / statistics.median(before),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--old", type=float, default=0.1, help="share of each series older than retention")
    parser.add_argument("--server", default=SERVER, help="the PostgreSQL server's maintenance database URL")
    options = parser.parse_args()
    f = asyncio.run(measure(options.rows, options.series, options.old, options.server))
    print(json.dumps(f))
    print(
        f"| Retention, one purge of {f['rows']:,} points over {f['series']} series ({f['deleted']:,} older than"
        f" retention) | {f['purge_s']:.1f} s ({f['deleted_per_s']:,.0f} rows/s) | inserts of 500 points meanwhile:"
        f" p50 {f['insert_p50_during_ms']:.0f} ms, p99 {f['insert_p99_during_ms']:.0f} ms, max"
        f" {f['insert_max_during_ms']:.0f} ms (before: p50 {f['insert_p50_before_ms']:.0f} ms) |"
    )


if __name__ == "__main__":
    main()
