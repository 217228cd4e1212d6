"""Windows and updates: what every screen's trace is sent, checked against applying it (pure)."""

from __future__ import annotations

import json
import sys

import pytest

from live.figures import THEMES, Trace, legend_name, panel_figure, x_range, y_range
from live.model import Row, canonical_labels
from live.updates import encode_event, frame_payload, reset_payload
from live.window import Window
from tests.support.screen import patched

BIGGEST = sys.float_info.max


def rows(series: str, start: int, count: int, labels: str = "", ts0: float = 1000.0) -> list[Row]:
    return [Row(i, series, labels, ts0 + i, float(i)) for i in range(start, start + count)]


def shown(window: Window) -> dict[str, list]:
    return {"x": window.xs(), "y": list(window.ys)}


@pytest.mark.parametrize(("before", "new", "size"), [(0, 1, 5), (3, 1, 5), (5, 1, 5), (5, 3, 5), (2, 5, 5), (5, 9, 5)])
def test_update_turns_every_screen_into_the_window(before: int, new: int, size: int) -> None:
    """The window at some id plus the update equals the window after the new points."""
    old, fresh = rows("a", 1, before), rows("a", 1 + before, new)
    window = Window("a", "", size, old)
    trace = patched(shown(window), window.add(fresh))
    assert trace == shown(Window("a", "", size, old + fresh))
    assert trace["y"] == [r.value for r in (old + fresh)[-size:]]


def test_only_new_points_cross_the_wire() -> None:
    """A one-point update to a full window carries that point, the drop and the extents, not the window."""
    window = Window("a", "", 1000, rows("a", 1, 1000))
    update = window.add([Row(1001, "a", "", 5000.0, 7.0)])
    assert update == {"x": [5_000_000], "y": [7.0], "drop": 1, "xr": [1_002_000, 5_000_000], "yr": [2.0, 1000.0]}
    assert len(json.dumps(update, separators=(",", ":"))) < 100


def test_a_late_point_lands_in_its_place_and_the_range_ends_at_the_newest() -> None:
    """Points at t-60..t-20 s, then one at t-45 s: it goes between them; the x extent still ends at t-20 s.

    Kept in arrival order, the window ran from the first arrival to the last, [t-60, t-45] s,
    and the four newest points fell off the axis (issue 12, defect 2).
    """
    t = 10_000.0
    window = Window("a", "", 100, [Row(i, "a", "", t - 60 + 10 * i, float(i)) for i in range(5)])
    update = window.add([Row(5, "a", "", t - 45, 99.0)])
    assert update is not None and update["replace"] is True
    assert window.ts == [t - 60, t - 50, t - 45, t - 40, t - 30, t - 20]
    assert update["xr"] == [round((t - 60) * 1000), round((t - 20) * 1000)]
    assert update["y"] == [0.0, 1.0, 99.0, 2.0, 3.0, 4.0]
    assert update["yr"] == [0.0, 99.0]


def test_a_point_older_than_a_full_window_is_not_drawn() -> None:
    """A full window keeps its newest points by time: an older straggler changes nothing on screen."""
    window = Window("a", "", 3, rows("a", 1, 3))
    assert window.add([Row(9, "a", "", 1.0, 5.0)]) is None
    assert window.ys == [1.0, 2.0, 3.0]


def test_extents_follow_points_that_leave() -> None:
    """When the point holding the maximum drops out, the extent shrinks to what is left."""
    window = Window("a", "", 2, [Row(1, "a", "", 1.0, 50.0), Row(2, "a", "", 2.0, 1.0)])
    update = window.add([Row(3, "a", "", 3.0, 2.0)])
    assert update["yr"] == [1.0, 2.0]


def test_frame_groups_by_series_key_and_names_new_ones() -> None:
    """One update per series key; two label sets of one name are two traces; new ones come with name and labels."""
    host_a, host_b = canonical_labels({"host": "a"}), canonical_labels({"host": "b"})
    windows = {"cpu" + host_a: Window("cpu", host_a, 10, rows("cpu", 1, 2, host_a))}
    payload = frame_payload([*rows("cpu", 3, 1, host_a), *rows("cpu", 4, 2, host_b)], windows, 10)
    assert set(payload["updates"]) == {'cpu{"host":"a"}', 'cpu{"host":"b"}'}
    assert payload["new"] == {'cpu{"host":"b"}': {"name": "cpu", "labels": {"host": "b"}}}
    assert (len(windows['cpu{"host":"a"}']), len(windows['cpu{"host":"b"}'])) == (3, 2)


def test_frames_carry_data_only() -> None:
    """No colour, theme or figure travels in a frame: one encoded frame serves every viewer."""
    payload = frame_payload(rows("a", 1, 3), {}, 10)
    text = json.dumps(payload)
    for word in ("color", "bgcolor", "layout", "data", "template"):
        assert word not in text


def test_reset_carries_every_trace_whole() -> None:
    """A reset names each trace and carries its window and extents."""
    window = Window("a", canonical_labels({"k": "v"}), 10, rows("a", 1, 2, canonical_labels({"k": "v"})))
    payload = reset_payload({'a{"k":"v"}': window}, "db1")
    assert payload == {
        "traces": {
            'a{"k":"v"}': {
                "name": "a",
                "labels": {"k": "v"},
                "x": [1_001_000, 1_002_000],
                "y": [1.0, 2.0],
                "xr": [1_001_000, 1_002_000],
                "yr": [1.0, 2.0],
            }
        },
        "db": "db1",
    }


def test_encoded_frame_is_one_sse_event() -> None:
    """A frame is one event: id is its last event id, data one line of JSON."""
    assert encode_event("frame", 9, {"updates": {}}) == b'id: 9\nevent: frame\ndata: {"updates":{}}\n\n'


@pytest.mark.parametrize(
    ("extents", "expected"),
    [([], [0.0, 1.0]), ([[5.0, 5.0]], [4.5, 5.5]), ([[0.0, 0.0]], [-1.0, 1.0]), ([[0.0, 10.0]], [-0.8, 10.8])],
)
def test_y_range_leaves_room(extents: list[list[float]], expected: list[float]) -> None:
    """The y range pads the data, and never collapses to a point."""
    assert y_range(extents) == pytest.approx(expected)


@pytest.mark.parametrize(
    "extent", [[BIGGEST, BIGGEST], [-BIGGEST, BIGGEST], [-BIGGEST, -BIGGEST], [1e308, 1e308], [-1e308, 1e308]]
)
def test_y_range_of_the_largest_doubles_stays_finite(extent: list[float]) -> None:
    """1.7976931348623157e308 is a valid value; its range must not overflow (issue 12, defect 1)."""
    low, high = y_range([extent])
    assert -BIGGEST <= low <= extent[0] and extent[1] <= high <= BIGGEST
    json.dumps([low, high], allow_nan=False)


def test_y_range_spans_every_trace_of_a_panel() -> None:
    """A panel's range covers all its traces."""
    assert y_range([[1.0, 2.0], [0.0, 5.0]]) == pytest.approx([-0.4, 5.4])
    assert x_range([[2000, 3000], [1000, 1500]]) == [1000, 3000]


def test_x_range_of_one_point_is_two_seconds_wide() -> None:
    """A single point still gets a visible axis."""
    assert x_range([[10_000, 10_000]]) == [9_000, 11_000]


def test_names_are_escaped_for_plotly() -> None:
    """Plotly reads names as HTML: markup in a series name or label must show as text."""
    trace = Trace("x", "<b>x</b> & y", canonical_labels({"h": "<i>"}), [], [])
    fig = panel_figure("<b>x</b> & y", [trace])
    assert fig["layout"]["title"]["text"] == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert fig["data"][0]["name"] == "h=&lt;i&gt;"


def test_legend_names_a_trace_by_its_labels() -> None:
    """A trace is named by its labels, sorted; one without labels by its series."""
    assert legend_name("cpu", canonical_labels({"z": "1", "a": "2"})) == "a=2, z=1"
    assert legend_name("cpu", "") == "cpu"


def test_a_panel_figure_draws_a_trace_per_label_set_in_a_theme() -> None:
    """Two label sets of one name: two traces, ranges over both, the theme's colours in the layout."""
    a, b = canonical_labels({"host": "a"}), canonical_labels({"host": "b"})
    traces = [Trace("cpu" + a, "cpu", a, [1000, 2000], [1.0, 2.0]), Trace("cpu" + b, "cpu", b, [1500], [9.0])]
    fig = panel_figure("cpu", traces, "dark")
    assert [t["name"] for t in fig["data"]] == ["host=a", "host=b"]
    assert fig["layout"]["xaxis"]["range"] == [1000, 2000]
    assert fig["layout"]["yaxis"]["range"] == pytest.approx([0.36, 9.64])
    assert fig["layout"]["paper_bgcolor"] == THEMES["dark"]["paper_bgcolor"]
