"""SQLite storage: ids, windows, atomic batches, retention."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from live.points import Point
from live.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(str(tmp_path / "nested" / "dir" / "store.sqlite3"))
    await store.open()
    yield store
    await store.close()


def points(series: str, count: int, start: float = 1000.0) -> list[Point]:
    return [Point(series, start + i, float(i)) for i in range(count)]


async def test_first_run_creates_the_file_in_wal_mode(tmp_path: Path, store: Store) -> None:
    """The database and its folders are created; WAL is on."""
    assert (tmp_path / "nested" / "dir" / "store.sqlite3").exists()
    assert await store._fetch("PRAGMA journal_mode") == [("wal",)]


async def test_ids_are_contiguous_and_monotonic(store: Store) -> None:
    """Each batch gets the next run of ids; its rows come back in order."""
    first = await store.insert(points("a", 3))
    second = await store.insert(points("b", 2))
    assert (first.first, first.last, second.first, second.last) == (1, 3, 4, 5)
    assert [row.id for row in await store.between(0, 5)] == [1, 2, 3, 4, 5]
    assert await store.last_id() == 5


async def test_concurrent_batches_share_a_transaction_but_keep_their_ids(store: Store) -> None:
    """Group commit: many concurrent inserts, each answered with its own contiguous ids."""
    commits = await asyncio.gather(*(store.insert(points(f"s{i}", 10)) for i in range(20)))
    ranges = sorted((c.first, c.last) for c in commits)
    assert ranges == [(1 + 10 * i, 10 * (i + 1)) for i in range(20)]
    for commit in commits:
        assert {row.series for row in commit.rows} == {commit.rows[0].series}


async def test_a_batch_longer_than_one_insert_is_stored_whole_in_order(store: Store) -> None:
    """A batch split over several INSERT statements keeps its order, ids and values."""
    store._rows_per_insert = 3  # as a build with few bound variables would have it
    batch = points("a", 8)
    commit = await store.insert(batch)
    stored = await store.between(0, 100)
    assert (commit.first, commit.last) == (1, 8)
    assert stored == list(commit.rows)
    assert [(row.series, row.ts, row.value) for row in stored] == [(p.series, p.ts, p.value) for p in batch]


async def test_a_failing_batch_stores_nothing_and_spares_the_others(store: Store) -> None:
    """All or nothing per batch: a row SQLite refuses sinks its batch only."""
    bad = [Point("a", 1.0, 1.0), Point("a", 2.0, None)]  # type: ignore[arg-type]
    results = await asyncio.gather(store.insert(points("ok", 2)), store.insert(bad), return_exceptions=True)
    assert results[0].last - results[0].first == 1
    assert isinstance(results[1], Exception)
    assert {row.series for row in await store.between(0, 100)} == {"ok"}


async def test_window_is_the_last_points_by_id(store: Store) -> None:
    """The window holds each series' last N points up to an id, oldest first."""
    await store.insert(points("a", 5))
    await store.insert(points("b", 1))
    await store.insert(points("a", 2, start=2000.0))
    windows = await store.window(upto=6, limit=3)
    assert [row.id for row in windows["a"]] == [3, 4, 5]
    assert [row.id for row in windows["b"]] == [6]


async def test_retention_keeps_each_series_last_window(store: Store) -> None:
    """Old points go, but never a series' last N, so every screen can still be rebuilt."""
    await store.insert(points("a", 10, start=100.0))
    await store.insert(points("b", 2, start=100.0))
    deleted = await store.purge(older_than=1e9, keep=3)
    assert deleted == 7
    assert [row.id for row in await store.between(0, 100)] == [8, 9, 10, 11, 12]
    # A screen below id 10 may show deleted points of "a": it must be reset, not replayed to.
    assert await store.resume_floor() == 10


async def test_close_waits_for_queued_writes(tmp_path: Path) -> None:
    """Nothing acknowledged or queued is lost at close."""
    store = Store(str(tmp_path / "s.sqlite3"))
    await store.open()
    # gather starts the insert first (asyncio runs tasks in creation order), so close meets it queued.
    commit, _ = await asyncio.gather(store.insert(points("a", 100)), store.close())
    assert commit.last == 100
