"""Downsampling for the pixels there are: each bucket's lowest and highest point, in time order (pure).

Min/max per bucket rather than an average or LTTB alone: a spike or a dip of a single point is
an extreme of its bucket, so it is always drawn, at its own time and value. With `buckets` set
to the graph's width in pixels that is at most 2 points a pixel, which is what the eye can see.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def min_max(
    ts: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, start: float, end: float, buckets: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the points (ascending ts) reduced to each of `buckets` buckets of [start, end]: its lowest and highest.

    A bucket's first lowest and first highest are kept (one point when they are the same);
    points outside [start, end] fall into the first or last bucket.
    """
    ts = np.asarray(ts, dtype=float)
    values = np.asarray(values, dtype=float)
    if len(ts) <= 2 * buckets or buckets < 1:
        return ts, values
    span = max(end - start, 1e-9)
    bucket = np.clip(((ts - start) * (buckets / span)).astype(np.int64), 0, buckets - 1)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])  # ts ascending: buckets in runs
    keep = np.union1d(_first_where(values, starts, np.minimum), _first_where(values, starts, np.maximum))
    return ts[keep], values[keep]


def _first_where(values: np.ndarray, starts: np.ndarray, extreme: np.ufunc) -> np.ndarray:
    """Return the index of each run's first point equal to the run's extreme (its min or max)."""
    found = extreme.reduceat(values, starts)
    run = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(values)]))
    hits = np.flatnonzero(values == found[run])
    return hits[np.r_[True, run[hits][1:] != run[hits][:-1]]]


def plan(start: float, end: float, points: int) -> tuple[int, float]:
    """Return the buckets for at most `points` points over [start, end], and the resolution to ask the store for.

    A bucket a pixel (two points each); the store may hand over spans of up to two buckets as
    their extremes: at least a point a pixel still, every spike still in, and 24 h of 10 series
    read from 60 s rollups instead of 10 s ones (BENCHMARKS.md, History).
    """
    buckets = max(1, points // 2)
    return buckets, 2 * (end - start) / buckets
