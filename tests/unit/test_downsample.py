"""Downsampling keeps every spike and dip, at most two points per bucket, in time order."""

from __future__ import annotations

import numpy as np
import pytest

from live.downsample import min_max


def test_a_single_point_spike_among_100000_is_kept() -> None:
    """One point far above 99,999 others survives a reduction to 1,000 buckets, at its time."""
    ts = np.arange(100_000, dtype=float)
    values = np.sin(ts / 500.0)
    values[61_234] = 40.0
    values[7_001] = -40.0  # and a dip
    drawn_ts, drawn = min_max(ts, values, 0.0, 99_999.0, 1000)
    assert len(drawn) <= 2000
    assert drawn.max() == 40.0 and drawn_ts[drawn.argmax()] == 61_234
    assert drawn.min() == -40.0 and drawn_ts[drawn.argmin()] == 7_001
    assert np.all(np.diff(drawn_ts) > 0)


def test_each_bucket_keeps_its_lowest_and_highest() -> None:
    """Every bucket's extremes are among the points kept, and every point kept is a stored one."""
    rng = np.random.default_rng(7)
    ts = np.sort(rng.uniform(0, 1000, 20_000))
    values = rng.normal(size=20_000)
    drawn_ts, drawn = min_max(ts, values, 0.0, 1000.0, 100)
    for bucket in range(100):
        inside = (ts >= bucket * 10) & (ts < (bucket + 1) * 10)
        kept = (drawn_ts >= bucket * 10) & (drawn_ts < (bucket + 1) * 10)
        assert set(drawn[kept]) == {values[inside].min(), values[inside].max()}
    assert set(zip(drawn_ts, drawn, strict=True)) <= set(zip(ts, values, strict=True))


@pytest.mark.parametrize("count", [0, 1, 5, 200])
def test_few_points_come_back_as_they_are(count: int) -> None:
    """Points that already fit two per bucket are returned untouched."""
    ts = np.arange(count, dtype=float)
    drawn_ts, drawn = min_max(ts, ts * 2, 0.0, 200.0, 100)
    assert drawn_ts.tolist() == ts.tolist() and drawn.tolist() == (ts * 2).tolist()


def test_a_flat_bucket_is_one_point() -> None:
    """A bucket whose points are all equal is drawn as one point, its first."""
    ts = np.arange(1000, dtype=float)
    drawn_ts, drawn = min_max(ts, np.ones(1000), 0.0, 1000.0, 10)
    assert drawn_ts.tolist() == [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]
