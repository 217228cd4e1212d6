"""Ingest throughput: points/s through POST /api/points against raw sqlite3 executemany of the same rows,
and through POST /api/v2/write with the same batches as Influx line protocol, against the JSON path."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import statistics
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.load import start
from benchmarks.servers import PULSEBOARD, Target
from live.store.sqlite_schema import SCHEMA

BATCH = 5000
SERIES = [f"ingest.{i}" for i in range(10)]


@dataclass
class IngestResult:
    """Points per second through HTTP, raw, and their ratio."""

    http_points_s: float
    raw_points_s: float
    points: int
    lines_points_s: float = math.nan  # the same batches as line protocol, in the same run

    @property
    def ratio(self) -> float:
        return self.http_points_s / self.raw_points_s

    @property
    def lines_ratio(self) -> float:
        """Line protocol's points/s as a share of JSON's."""
        return self.lines_points_s / self.http_points_s


def batch_rows(batch: int, now: float) -> list[tuple[str, float, float]]:
    """Return one batch of (series, ts, value) rows, spread over ten series, each batch later than the last.

    Times rise from batch to batch, as a producer's do: batches that all repeated the same times
    landed in the middle of every series' (series, time) index and cost 26-41% more.
    """
    start = now - 100 + batch
    return [(SERIES[i % len(SERIES)], start + i * 1e-6, float(batch * BATCH + i)) for i in range(BATCH)]


def raw_executemany(path: Path, batches: list[list[tuple[str, float, float]]]) -> float:
    """Insert the batches with sqlite3 executemany, a transaction each, as Pulseboard's store would; return points/s."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        # The same file settings as live/store/sqlite.py: WAL, FULL sync, the same schema and index.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO series (name) VALUES (?)", [(name,) for name in SERIES])
        ids = dict(db.execute("SELECT name, id FROM series WHERE labels = ''").fetchall())
        started = time.perf_counter()
        for rows in batches:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO points (series_id, ts, value) VALUES (?, ?, ?)",
                [(ids[s], ts, v) for s, ts, v in rows],
            )
            db.execute("COMMIT")
        return sum(map(len, batches)) / (time.perf_counter() - started)


def line_body(rows: list[tuple[str, float, float]]) -> bytes:
    """Return a batch as line protocol: one line a point, the series as a measurement, ns timestamps."""
    return "".join(f"{s} value={v!r} {round(ts * 1e9)}\n" for s, ts, v in rows).encode()


async def post_all(
    tmp: Path, path: str, bodies: list[bytes], headers: dict[str, str], senders: int, target: Target = PULSEBOARD
) -> float:
    """POST the bodies (the first a warm-up) to a fresh server with a few concurrent senders; return points/s."""
    server = start(target, tmp)
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            url = server.url + path
            first = await client.post(url, content=bodies[0], headers=headers)  # series created, code paths hot
            first.raise_for_status()
            queue = list(range(1, len(bodies)))

            async def sender() -> None:
                while queue:
                    body = bodies[queue.pop(0)]  # in order, as one producer's batches come
                    response = await client.post(url, content=body, headers=headers)
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(senders)))
            return (len(bodies) - 1) * BATCH / (time.perf_counter() - started)
    finally:
        server.stop()


async def ingest(tmp: Path, batches: int, senders: int = 4) -> IngestResult:
    """POST `batches` 5,000-point batches as JSON, then as line protocol; compare with raw inserts of the same rows."""
    now = time.time()
    rows = [batch_rows(b, now) for b in range(batches)]
    bodies = [
        json.dumps({"points": [{"series": s, "ts": ts, "value": v} for s, ts, v in batch]}).encode() for batch in rows
    ]
    http = await post_all(tmp, "/api/points", bodies, {"Content-Type": "application/json"}, senders)
    # The same rows, each pass on a fresh database of its own (load.start seeds one per server).
    lines = [line_body(batch) for batch in rows]
    lines_http = await post_all(tmp, "/api/v2/write", lines, {"Content-Type": "text/plain; charset=utf-8"}, senders)
    # The median of three: one pass is about a second, and its fsyncs vary run to run (136k to 243k points/s).
    raw = statistics.median(raw_executemany(tmp / f"raw{i}.sqlite3", rows[1:]) for i in range(3))
    return IngestResult(http, raw, (len(bodies) - 1) * BATCH, lines_http)
