"""The SQLite store's history reads: ranges by (series, ts), rollups that keep every extreme, exports in chunks."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from live.model import Point
from live.store.sqlite import SQLiteStore
from live.store.sqlite_schema import STATEMENTS

HOST_A = '{"host":"a"}'
T0 = 1_764_000_000.0  # a multiple of the bucket width


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(str(tmp_path / "store.sqlite3"))
    await store.open()
    yield store
    await store.close()


def wavy(series: str, count: int, step: float = 0.7, labels: str = "", seed: int = 1) -> list[Point]:
    rng = random.Random(seed)
    return [Point(series, T0 + i * step, rng.uniform(-1, 1), labels) for i in range(count)]


def bucket_extremes(found: list[Point], start: float, end: float, width: int = 10) -> set[tuple[float, float]]:
    """Each bucket's lowest and highest (ts, value) among points in [start, end]."""
    buckets: dict[int, list[Point]] = {}
    for point in found:
        if start <= point.ts <= end:
            buckets.setdefault(int(point.ts // width), []).append(point)
    extremes = set()
    for members in buckets.values():
        for pick in (min, max):
            chosen = pick(members, key=lambda point: point.value)
            extremes.add((chosen.ts, chosen.value))
    return extremes


async def test_a_short_range_is_every_point_in_it(store: SQLiteStore) -> None:
    """Below a bucket's width of resolution the read is raw: exactly the points in [start, end], in order."""
    await store.insert(wavy("cpu", 100) + wavy("mem", 100, seed=2))
    found = await store.history(["cpu"], T0 + 7.0, T0 + 14.0, resolution=1.0)
    ts, values = found["cpu"]
    expected = [p for p in wavy("cpu", 100) if T0 + 7.0 <= p.ts <= T0 + 14.0]
    assert list(ts) == [p.ts for p in expected] and list(values) == [p.value for p in expected]
    assert set(found) == {"cpu"}


async def test_a_long_range_reads_rollups_that_keep_every_extreme(store: SQLiteStore) -> None:
    """Through rollups: each whole bucket's lowest and highest, the ragged ends raw, late points merged in."""
    sent = wavy("cpu", 3000, labels=HOST_A)
    late = [Point("cpu", T0 + 105.3, 50.0, HOST_A), Point("cpu", T0 + 1503.2, -50.0, HOST_A)]  # after the rest
    for start in range(0, 3000, 500):  # several batches, so buckets are merged across them
        await store.insert(sent[start : start + 500])
    await store.insert(late)
    key = "cpu" + HOST_A
    start, end = T0 + 3.3, T0 + 2000.5
    ts, values = (await store.history([key], start, end, resolution=20.0))[key]
    got = set(zip(ts, values, strict=True))
    everything = sent + late
    assert bucket_extremes(everything, start, end) <= got
    assert (T0 + 105.3, 50.0) in got and (T0 + 1503.2, -50.0) in got
    assert got <= {(p.ts, p.value) for p in everything if start <= p.ts <= end}  # only stored points, in range
    assert len(got) < len(everything) / 3
    coarse_ts, coarse = (await store.history([key], start, end, resolution=60.0))[key]  # the 60 s buckets
    assert bucket_extremes(everything, start, end, width=60) <= set(zip(coarse_ts, coarse, strict=True))
    assert len(coarse_ts) < len(ts) / 2
    assert list(ts) == sorted(ts)
    # The ends, not whole buckets, are every point there.
    assert {(p.ts, p.value) for p in everything if start <= p.ts < T0 + 10} <= got


async def test_retention_leaves_no_deleted_point_in_history(store: SQLiteStore) -> None:
    """After a purge, the rollups of cut buckets are not used: history holds only points still stored."""
    sent = wavy("cpu", 2000)
    await store.insert(sent)
    cutoff = T0 + 505.0  # inside a bucket
    await store.purge(cutoff, keep=1)
    kept = [p for p in sent if p.ts >= cutoff]
    ts, values = (await store.history(["cpu"], T0, T0 + 1400.0, resolution=100.0))["cpu"]  # 60 s buckets
    assert set(zip(ts, values, strict=True)) <= {(p.ts, p.value) for p in kept}
    assert bucket_extremes(kept, cutoff, T0 + 1400.0, width=60) <= set(zip(ts, values, strict=True))
    assert await store._fetch("SELECT COUNT(*) FROM rollups WHERE bucket * width < ?", (cutoff,)) == [(0,)]


async def test_a_version_2_file_gets_rollups_of_its_points(tmp_path: Path) -> None:
    """Upgrading a version 2 file rolls up the points it holds, so history of them is whole at once."""
    path = tmp_path / "v2.sqlite3"
    sent = wavy("cpu", 500)
    with closing(sqlite3.connect(path)) as db, db:
        for statement in STATEMENTS:
            if "rollups" not in statement:
                db.execute(statement.replace("user_version = 3", "user_version = 2"))
        db.execute("INSERT INTO series (id, name) VALUES (1, 'cpu')")
        db.executemany("INSERT INTO points (series_id, ts, value) VALUES (1, ?, ?)", [(p.ts, p.value) for p in sent])
    store = SQLiteStore(str(path))
    await store.open()
    try:
        assert await store._fetch("PRAGMA user_version") == [(3,)]
        ts, values = (await store.history(["cpu"], T0, T0 + 400.0, resolution=50.0))["cpu"]
        assert bucket_extremes(sent, T0, T0 + 400.0) <= set(zip(ts, values, strict=True))
        assert len(ts) < 200
    finally:
        await store.close()


async def test_export_yields_every_point_in_chunks_up_to_the_newest_at_the_start(store: SQLiteStore) -> None:
    """Series by series, by (ts, id), ties kept; points stored after the export began are not in it."""
    sent = wavy("cpu", 250, labels=HOST_A) + [Point("cpu", T0 + 7.0, 99.0, HOST_A)] + wavy("mem", 30, seed=3)
    await store.insert(sent)
    chunks = []
    async for chunk in store.export(["mem", "cpu" + HOST_A, "nothing"], T0 + 7.0, T0 + 100.0, chunk=40):
        chunks.append(chunk)
        await store.insert([Point("cpu", T0 + 50.0, 1.0, HOST_A)])  # arrives meanwhile: not exported
    rows = [row for chunk in chunks for row in chunk]
    assert max(len(chunk) for chunk in chunks) == 40
    expected_mem = [p for p in wavy("mem", 30, seed=3) if p.ts >= T0 + 7.0]
    expected_cpu = sorted(
        (p for p in sent[:251] if T0 + 7.0 <= p.ts <= T0 + 100.0), key=lambda p: (p.ts, sent.index(p))
    )
    assert [(r.series, r.labels, r.ts, r.value) for r in rows] == [
        (p.series, p.labels, p.ts, p.value) for p in expected_mem + expected_cpu
    ]


async def test_batches_written_in_one_transaction_are_all_rolled_up(store: SQLiteStore) -> None:
    """Concurrent batches share the writer's transaction: every one of them reaches the rollups."""
    batches = [wavy(f"s{i % 3}", 300, step=0.9, seed=i) for i in range(12)]
    await asyncio.gather(*(store.insert(batch) for batch in batches))
    counted = dict(await store._fetch("SELECT series_id, SUM(n) FROM rollups WHERE width = 10 GROUP BY series_id"))
    assert sorted(counted.values()) == [1200, 1200, 1200]
    for name in ("s0", "s1", "s2"):
        sent = [p for batch in batches for p in batch if p.series == name]
        ts, values = (await store.history([name], T0, T0 + 270.0, resolution=15.0))[name]
        assert bucket_extremes(sent, T0, T0 + 270.0) <= set(zip(ts, values, strict=True))
