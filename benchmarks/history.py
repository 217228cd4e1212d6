"""Looking back: a 24 h range over 10 series of 100,000 points each, and a one-hour zoom inside it.

    python -m benchmarks.history [--series 10] [--points 100000] [--runs 5] [--pixels 1600] [--quick]

Not a test: prints one JSON line per measurement, then a Markdown table (median and worst of
the runs, the target, PASS or FAIL). Issue 19.

Method. One SQLite file written through Pulseboard's own store (SQLiteStore.insert in
5,000-point batches, so the writer's rollups are kept as in production): SERIES series, each
POINTS points evenly over the last 24 h (a random walk with one single-point spike). Then, in
this process, on that file, RUNS times each:
- "store + downsampling": Store.history over the range for every series at the resolution
  a graph of PIXELS pixels asks (2 points a pixel), then live/downsample.min_max per series,
  as GET /api/history does; the spike is checked to be in the result.
- "pandas read_sql, raw": the baseline, `pandas.read_sql` of the same range's raw points
  (SELECT name, ts, value FROM points JOIN series ... WHERE ts BETWEEN), no downsampling.
- "GET /api/history": the same over HTTP from a real `uvicorn app:server` on the file
  (httpx, keep-alive, JSON parsed), the points the page would draw.
Both for the 24 h range and a one-hour range in its middle (the zoom). The first call of each
is not counted (imports, the file's first read into the page cache).

What the rollups cost ingest: 200,000 points (10 series) through SQLiteStore.insert in 5,000-point
batches into a fresh file, with the writer's rollups and without (its one call replaced by a
no-op), alternated, median of 3 each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from live.downsample import min_max, plan
from live.model import Point
from live.store.sqlite import SQLiteStore
from tests.support.servers import LiveServer

SPIKE = 1e6
# Seconds, worst of the runs: the server share of opening 24 h, and its whole budget for a zoom's redraw.
TARGETS = {"24h store + downsampling": 0.2, "1h zoom GET /api/history": 0.3}


async def build(path: Path, series: int, points: int, now: float) -> None:
    """Write the file through the store: each series `points` points over the last 24 h, one spike."""
    store = SQLiteStore(str(path))
    await store.open()
    rng = np.random.default_rng(19)
    try:
        ts = np.linspace(now - 86_000, now - 1, points)
        for index in range(series):
            values = np.cumsum(rng.normal(size=points))
            values[points // 3 + index] = SPIKE
            batch = [Point(f"bench.s{index}", float(t), float(v)) for t, v in zip(ts, values, strict=True)]
            for start in range(0, points, 5000):
                await store.insert(batch[start : start + 5000])
    finally:
        await store.close()


async def store_read(path: Path, keys: list[str], start: float, end: float, pixels: int) -> tuple[float, int, bool]:
    """Time Store.history and the downsampling of every series: (seconds, points drawn, spike kept)."""
    store = SQLiteStore(str(path))
    await store.open()
    try:
        began = time.perf_counter()
        buckets, resolution = plan(start, end, 2 * pixels)  # as GET /api/history does
        found = await store.history(keys, start, end, resolution)
        drawn = [min_max(ts, values, start, end, buckets) for ts, values in found.values()]
        seconds = time.perf_counter() - began
    finally:
        await store.close()
    return seconds, sum(len(ts) for ts, _ in drawn), all(values.max() == SPIKE for _, values in drawn)


async def ingest_rate(path: Path, points: int, rollups: bool) -> float:
    """Return points/s stored through SQLiteStore.insert in 5,000-point batches (10 series), rollups kept or not."""
    from live.store import sqlite_writer

    async def skip(*_args: object) -> None:
        return None

    kept = sqlite_writer.roll_up
    sqlite_writer.roll_up = kept if rollups else skip  # the writer's one call: off for the comparison only
    store = SQLiteStore(str(path))
    await store.open()
    try:
        now = time.time()
        batch = [
            [Point(f"ingest.s{i % 10}", now - points + n + i / 10, float(i)) for i in range(5000)]
            for n in range(0, points, 5000)
        ]
        began = time.perf_counter()
        for points_ in batch:
            await store.insert(points_)
        return points / (time.perf_counter() - began)
    finally:
        await store.close()
        sqlite_writer.roll_up = kept


def pandas_read(path: Path, start: float, end: float) -> tuple[float, int]:
    """Time pandas.read_sql of the range's raw points: the baseline."""
    with closing(sqlite3.connect(path)) as db:
        began = time.perf_counter()
        frame = pd.read_sql(
            "SELECT s.name, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE p.ts BETWEEN ? AND ?",
            db,
            params=(start, end),
        )
        return time.perf_counter() - began, len(frame)


def http_read(
    client: httpx.Client, url: str, names: list[str], start: float, end: float, pixels: int
) -> tuple[float, int]:
    """Time GET /api/history over HTTP, JSON parsed: (seconds, points drawn)."""
    params = [("series", name) for name in names] + [
        ("from", str(start)),
        ("to", str(end)),
        ("points", str(2 * pixels)),
    ]
    began = time.perf_counter()
    answer = client.get(f"{url}/api/history", params=params)
    body = answer.json()
    seconds = time.perf_counter() - began
    answer.raise_for_status()
    return seconds, sum(len(trace["x"]) for trace in body["series"].values())


def repeat(runs: int, measure: Callable[[], tuple]) -> list[tuple]:
    measure()  # not counted: first reads, imports
    return [measure() for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pixels", type=int, default=1600)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 series of 5,000 points, 2 runs")
    args = parser.parse_args()
    if args.quick:
        args.series, args.points, args.runs = 3, 5000, 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="pulseboard-history-") as tmp:
        path = Path(tmp) / "pulseboard.sqlite3"
        now = time.time()
        began = time.perf_counter()
        asyncio.run(build(path, args.series, args.points, now))
        print(json.dumps({"built": args.series * args.points, "seconds": round(time.perf_counter() - began, 2)}))
        keys = [f"bench.s{index}" for index in range(args.series)]
        ranges = {"24h": (now - 86_000, now), "1h zoom": (now - 43_000 - 1800, now - 43_000 + 1800)}
        server = LiveServer(Path(tmp))
        server.database = str(path)
        server.env["PULSEBOARD_DATABASE"] = str(path)
        server.start()
        try:
            with httpx.Client(timeout=30) as client:
                for name, (start, end) in ranges.items():
                    stored = repeat(
                        args.runs, lambda s=start, e=end: asyncio.run(store_read(path, keys, s, e, args.pixels))
                    )
                    raw = repeat(args.runs, lambda s=start, e=end: pandas_read(path, s, e))
                    http = repeat(
                        args.runs, lambda s=start, e=end: http_read(client, server.url, keys, s, e, args.pixels)
                    )
                    for what, results in (
                        ("store + downsampling", stored),
                        ("pandas read_sql, raw", raw),
                        ("GET /api/history", http),
                    ):
                        seconds = [result[0] for result in results]
                        row = {
                            "range": name,
                            "what": what,
                            "median_ms": round(statistics.median(seconds) * 1000, 1),
                            "worst_ms": round(max(seconds) * 1000, 1),
                            "points": results[-1][1],
                        }
                        if what == "store + downsampling" and name == "24h":
                            row["spike_kept"] = all(result[2] for result in results)
                        print(json.dumps(row))
                        rows.append(row)
        finally:
            server.stop()
        rates: dict[bool, list[float]] = {True: [], False: []}
        for run in range(min(args.runs, 3)):  # alternated, each on a fresh file: the machine's drift hits both
            for rollups in (False, True):
                target = Path(tmp) / f"ingest-{run}-{rollups}.sqlite3"
                rates[rollups].append(asyncio.run(ingest_rate(target, 20_000 if args.quick else 200_000, rollups)))
        ingest = {f"{'with' if on else 'without'} rollups": round(statistics.median(rates[on])) for on in rates}
        print(json.dumps({"ingest_points_per_s": ingest}))
    print(f"\n{args.series} series x {args.points:,} points over 24 h, {args.pixels} px ({args.runs} runs)\n")
    print("| Range | Read | Median | Worst | Points returned | Target |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        target = TARGETS.get(f"{row['range']} {row['what']}")
        verdict = (
            ""
            if target is None
            else f"< {target * 1000:.0f} ms: {'PASS' if row['worst_ms'] < target * 1000 else 'FAIL'}"
        )
        cells = [row["range"], row["what"], f"{row['median_ms']} ms", f"{row['worst_ms']} ms", f"{row['points']:,}"]
        print("| " + " | ".join([*cells, verdict]) + " |")
    print(f"\nIngest through the store, 5,000-point batches (median of {min(args.runs, 3)}): {ingest}")


if __name__ == "__main__":
    main()
