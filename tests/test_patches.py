"""Patch building: what every screen's graph is sent, checked against applying it."""

from __future__ import annotations

import json

import pytest

from live.figures import figure, x_range, y_range
from live.patches import Window, apply_update, encode_event, extend, frame_payload
from live.store import Row


def rows(series: str, start: int, count: int) -> list[Row]:
    return [Row(i, series, 1000.0 + i, float(i)) for i in range(start, start + count)]


@pytest.mark.parametrize(("before", "new", "size"), [(0, 1, 5), (3, 1, 5), (5, 1, 5), (5, 3, 5), (2, 5, 5), (5, 9, 5)])
def test_patch_turns_every_screen_into_the_window(before: int, new: int, size: int) -> None:
    """Window at some id plus the update equals the window after the new points."""
    old, fresh = rows("a", 1, before), rows("a", 1 + before, new)
    graph = figure("a", old)
    window = Window(size, old)
    apply_update(graph, extend(window, [round(r.ts * 1000) for r in fresh], [r.value for r in fresh]))
    assert graph == figure("a", (old + fresh)[-size:])


def test_only_new_points_cross_the_wire() -> None:
    """A one-point update to a full window carries that point, the drop and the ranges, not the window."""
    window = Window(1000, rows("a", 1, 1000))
    update = extend(window, [5_000_000], [7.0])
    expected = {"x": [5_000_000], "y": [7.0], "drop": 1, "xrange": [1_002_000, 5_000_000], "yrange": [-77.8, 1079.8]}
    assert update == expected
    assert len(json.dumps(update, separators=(",", ":"))) < 100


def test_frame_groups_by_series_and_announces_new_ones() -> None:
    """A frame has one update per series; series without a window come with an empty figure."""
    windows = {"a": Window(10, rows("a", 1, 2))}
    payload = frame_payload([*rows("a", 3, 1), *rows("b", 4, 2)], windows, 10)
    assert set(payload["updates"]) == {"a", "b"}
    assert list(payload["new"]) == ["b"]
    assert payload["new"]["b"]["data"][0]["x"] == []
    assert (len(windows["a"]), len(windows["b"])) == (3, 2)


def test_frame_without_new_series_has_no_new_key() -> None:
    """Known series only: no "new" key."""
    payload = frame_payload(rows("a", 3, 1), {"a": Window(10, rows("a", 1, 2))}, 10)
    assert "new" not in payload


def test_encoded_frame_is_one_sse_event() -> None:
    """A frame is one event: id is its last event id, data one line of JSON."""
    data = encode_event("frame", 9, {"updates": {}})
    assert data == b'id: 9\nevent: frame\ndata: {"updates":{}}\n\n'


@pytest.mark.parametrize(
    ("values", "expected"), [([], [0.0, 1.0]), ([5.0], [4.5, 5.5]), ([0.0], [-1.0, 1.0]), ([0.0, 10.0], [-0.8, 10.8])]
)
def test_y_range_leaves_room(values: list[float], expected: list[float]) -> None:
    """The y range pads the data, and never collapses to a point."""
    assert y_range(values) == pytest.approx(expected)


def test_x_range_of_one_point_is_two_seconds_wide() -> None:
    """A single point still gets a visible axis."""
    assert x_range([10_000]) == [9_000, 11_000]


def test_names_are_escaped_for_plotly() -> None:
    """Plotly reads names as HTML: markup in a series name must show as text."""
    fig = figure("<b>x</b> & y", [])
    assert fig["layout"]["title"]["text"] == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert fig["data"][0]["name"] == "&lt;b&gt;x&lt;/b&gt; &amp; y"
