"""Who is sent what: a dashboard's series, their panels, the caps, and frames cut down per dashboard (pure)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from live.dashboards.audience import Audience, panel_id
from live.dashboards.model import Dashboard
from live.figures import x_value
from live.framer import Frame
from live.model import Row, canonical_labels, row_key, series_key
from live.updates import frame_payload
from live.window import Window

WINDOW = 100
MAX_SERIES = 1000
Series = str | tuple[str, dict[str, str]]


def board(*panels: dict[str, Any], name: str = "ops") -> Dashboard:
    """Return a dashboard of line panels; each panel given as its series, plus any other fields."""
    return Dashboard(name=name, panels=[{"title": f"Panel {i}", **panel} for i, panel in enumerate(panels)])


def key(name: str, labels: dict[str, str] | None = None) -> str:
    return series_key(name, canonical_labels(labels))


class Feed:
    """Points with rising ids and times, framed as the framer frames them (live/updates.py frame_payload)."""

    def __init__(self) -> None:
        self.windows: dict[str, Window] = {}
        self.last = 0

    def rows(self, *series: Series) -> list[Row]:
        rows = []
        for one in series:
            name, labels = (one, {}) if isinstance(one, str) else one
            self.last += 1
            rows.append(Row(self.last, name, canonical_labels(labels), 1_800_000_000.0 + self.last, float(self.last)))
        return rows

    def frame(self, *series: Series) -> dict[str, Any]:
        return frame_payload(self.rows(*series), self.windows, WINDOW)


def window(name: str, labels: dict[str, str] | None = None, ts: tuple[float, ...] = (1.0,)) -> Window:
    text = canonical_labels(labels)
    return Window(name, text, WINDOW, [Row(i, name, text, t, 0.0) for i, t in enumerate(ts, 1)])


def event_json(data: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    """Return an encoded event's fields (id, event) and its data parsed."""
    fields = dict(line.split(": ", 1) for line in data.decode().strip("\n").split("\n"))
    return fields, json.loads(fields.pop("data"))


def counted(audience: Audience) -> list[int]:
    """Count the calls of audience.select from now on."""
    calls = [0]
    select: Callable[..., Any] = audience.select

    def counting(*args: Any) -> Any:
        calls[0] += 1
        return select(*args)

    audience.select = counting
    return calls


def test_panel_ids_are_indexes_not_series_names() -> None:
    """Panels are p0, p1, ... in the file's order."""
    assert [panel_id(i) for i in range(3)] == ["p0", "p1", "p2"]


PLACING = board(
    {"series": ["host.*"]},
    {"series": ['cpu{host="a"}']},
    {"series": ["mem", 'disk{dc="eu-*"}']},
)


@pytest.mark.parametrize(
    ("name", "labels", "panels"),
    [
        ("host.cpu", {}, ("p0",)),  # by glob
        ("host.net_kib_s", {"host": "b"}, ("p0",)),  # a glob with no filter takes any labels
        ("hostess", {}, ()),
        ("cpu", {"host": "a"}, ("p1",)),  # by label filter
        ("cpu", {"host": "a", "core": "3"}, ("p1",)),  # other labels do not matter
        ("cpu", {"host": "b"}, ()),
        ("cpu", {}, ()),
        ("mem", {}, ("p2",)),  # the panel's first selector
        ("disk", {"dc": "eu-west"}, ("p2",)),  # its second
        ("disk", {"dc": "us-east"}, ()),
        ("nothing.selects.me", {}, ()),
    ],
)
def test_a_series_is_placed_by_name_glob_and_label_filter(
    name: str, labels: dict[str, str], panels: tuple[str, ...]
) -> None:
    """A series goes to every panel one of whose selectors matches it, and nowhere else."""
    audience = Audience(PLACING, MAX_SERIES)
    assert audience.place(key(name, labels), name, canonical_labels(labels)) == panels


def test_a_series_selected_by_two_panels_is_drawn_in_both() -> None:
    """One series, two panels: both ids, in the file's order."""
    audience = Audience(board({"series": ["host.*"]}, {"series": ["mem"]}, {"series": ["host.cpu"]}), MAX_SERIES)
    assert audience.place("host.cpu", "host.cpu", "") == ("p0", "p2")
    assert audience.capped() == {}


def test_placement_is_kept_from_first_sight() -> None:
    """A series keeps its panels: a later series does not take its place, even past a cap."""
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}), MAX_SERIES)
    assert audience.place("s.a", "s.a", "") == ("p0",)
    assert audience.place("s.b", "s.b", "") == ()
    assert audience.place("s.a", "s.a", "") == ("p0",)
    assert audience.place("s.b", "s.b", "") == ()
    assert audience.capped() == {"p0": [1, 2]}  # counted once each, however often asked


@pytest.mark.parametrize(
    ("panel", "cap"),
    [
        ({"kind": "line"}, 20),
        ({"kind": "stat"}, 1),
        ({"kind": "gauge", "min": 0, "max": 1}, 1),
        ({"kind": "line", "max_traces": 3}, 3),
        ({"kind": "stat", "max_traces": 2}, 2),
    ],
)
def test_a_panel_draws_at_most_its_trace_cap(panel: dict[str, Any], cap: int) -> None:
    """Past max_traces (default 20 for a line, 1 for a stat or gauge) a panel's series are counted, not drawn."""
    audience = Audience(board({"series": ["s.*"], **panel}), MAX_SERIES)
    placed = [audience.place(f"s.{i}", f"s.{i}", "") for i in range(cap + 2)]
    assert placed == [("p0",)] * cap + [()] * 2
    assert audience.capped() == {"p0": [cap, cap + 2]}


def test_a_full_panel_does_not_keep_a_series_from_another() -> None:
    """A series past one panel's cap is still drawn in another panel with room."""
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}, {"series": ["s.*"]}), MAX_SERIES)
    assert audience.place("s.a", "s.a", "") == ("p0", "p1")
    assert audience.place("s.b", "s.b", "") == ("p1",)
    assert audience.capped() == {"p0": [1, 2]}


def test_a_dashboard_draws_at_most_max_series() -> None:
    """Past max_series, a series is drawn nowhere, and every panel it matched says so."""
    audience = Audience(board({"series": ["s.*"]}, {"series": ["s.*", "t"]}), 2)
    assert audience.place("s.a", "s.a", "") == ("p0", "p1")  # one series in two panels counts once
    assert audience.place("s.b", "s.b", "") == ("p0", "p1")
    assert audience.place("s.c", "s.c", "") == ()
    assert audience.place("t", "t", "") == ()
    assert audience.place("u", "u", "") == ()  # matched by no panel: not counted anywhere
    assert audience.capped() == {"p0": [2, 3], "p1": [2, 4]}


def test_capped_is_empty_while_everything_matched_is_drawn() -> None:
    """capped() names only the panels that leave series out."""
    audience = Audience(board({"series": ["s.*"], "max_traces": 2}, {"series": ["t"]}), MAX_SERIES)
    audience.place("s.a", "s.a", "")
    audience.place("s.b", "s.b", "")
    assert audience.capped() == {}


def test_select_keeps_only_the_dashboards_series() -> None:
    """A frame is cut down to the selected series, their updates unchanged."""
    feed = Feed()
    payload = feed.frame("shown.0", "other.0", ("shown.1", {"host": "a"}), "other.1")
    selected = Audience(board({"series": ["shown.*"]}), MAX_SERIES).select(payload, feed.windows)
    assert selected is not None
    shown = [key("shown.0"), key("shown.1", {"host": "a"})]
    assert list(selected["updates"]) == shown
    assert selected["updates"] == {k: payload["updates"][k] for k in shown}


def test_select_is_none_when_nothing_is_for_the_dashboard() -> None:
    """A frame of other series only is not sent to the dashboard's screens."""
    feed = Feed()
    audience = Audience(board({"series": ["shown.*"]}), MAX_SERIES)
    assert audience.select(feed.frame("other.0", "other.1"), feed.windows) is None
    assert audience.select({"updates": {}}, feed.windows) is None


def test_new_series_carry_their_panels() -> None:
    """Under "new", each selected series' name and labels, plus the ids of the panels that draw it."""
    feed = Feed()
    audience = Audience(board({"series": ["cpu"]}, {"series": ["mem"]}, {"series": ["cpu*"]}), MAX_SERIES)
    selected = audience.select(feed.frame(("cpu", {"host": "a"}), "mem", "other"), feed.windows)
    assert selected is not None
    assert selected["new"] == {
        key("cpu", {"host": "a"}): {"name": "cpu", "labels": {"host": "a"}, "panels": ["p0", "p2"]},
        key("mem"): {"name": "mem", "labels": {}, "panels": ["p1"]},
    }


def test_a_series_already_seen_is_not_new_again() -> None:
    """Only a frame in which a series first appears names it under "new"."""
    feed = Feed()
    audience = Audience(board({"series": ["cpu", "mem"]}), MAX_SERIES)
    audience.select(feed.frame("cpu"), feed.windows)
    selected = audience.select(feed.frame("cpu", "mem"), feed.windows)
    assert selected is not None
    assert list(selected["new"]) == [key("mem")]
    again = audience.select(feed.frame("cpu", "mem"), feed.windows)
    assert again is not None
    assert "new" not in again


def test_capped_goes_out_when_a_cap_newly_leaves_a_series_out() -> None:
    """The frame in which a cap is hit carries every capped panel's [shown, matched]; later frames do not."""
    feed = Feed()
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}, {"series": ["s.*"]}), MAX_SERIES)
    first = audience.select(feed.frame("s.a"), feed.windows)
    assert first is not None
    assert "capped" not in first
    hit = audience.select(feed.frame("s.a", "s.b"), feed.windows)
    assert hit is not None
    assert hit["capped"] == {"p0": [1, 2]}
    assert hit["new"][key("s.b")]["panels"] == ["p1"]
    later = audience.select(feed.frame("s.a", "s.b"), feed.windows)
    assert later is not None
    assert "capped" not in later


def test_a_cap_hit_by_a_frame_with_nothing_drawn_reaches_the_screens_at_once() -> None:
    """The panel's note must not wait for a reset when the series it leaves out came alone."""
    feed = Feed()
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}), MAX_SERIES)
    audience.select(feed.frame("s.a"), feed.windows)
    alone = audience.select(feed.frame("s.b"), feed.windows)  # only a left-out series: no updates
    assert alone == {"updates": {}, "capped": {"p0": [1, 2]}}
    following = audience.select(feed.frame("s.a"), feed.windows)
    assert following is not None and "capped" not in following  # told once


def test_a_cap_is_reported_even_when_a_metrics_scrape_placed_the_series_first() -> None:
    """Placement order between the scrape and the screens must not decide whether the note is shown."""
    feed = Feed()
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}), MAX_SERIES)
    audience.select(feed.frame("s.a"), feed.windows)
    payload = feed.frame("s.a", "s.b")  # framed: s.b is in the framer's windows now
    audience.stale(feed.windows, now=0.0)  # a scrape of /metrics before the screens take the frame
    selected = audience.select(payload, feed.windows)
    assert selected is not None
    assert selected.get("capped") == {"p0": [1, 2]}


def test_select_windows_gives_the_panels_of_the_drawn_series_only() -> None:
    """A reset carries the series the dashboard draws, each with its panels; the others are left out."""
    audience = Audience(board({"series": ["cpu"]}, {"series": ["cpu", "mem"], "max_traces": 1}), MAX_SERIES)
    windows = {
        key(name, labels): window(name, labels)
        for name, labels in [("cpu", {"host": "a"}), ("cpu", {"host": "b"}), ("mem", {}), ("other", {})]
    }
    assert audience.select_windows(windows) == {
        key("cpu", {"host": "a"}): ("p0", "p1"),
        key("cpu", {"host": "b"}): ("p0",),
    }
    assert audience.capped() == {"p1": [1, 3]}


def test_select_windows_agrees_with_frames_that_came_before() -> None:
    """A screen opened later is reset with the placements the frames already made."""
    feed = Feed()
    audience = Audience(board({"series": ["s.*"], "max_traces": 1}), MAX_SERIES)
    audience.select(feed.frame("s.b"), feed.windows)
    audience.select(feed.frame("s.a"), feed.windows)
    assert audience.select_windows(feed.windows) == {key("s.b"): ("p0",)}


def test_stale_counts_drawn_series_older_than_their_panels_stale_seconds() -> None:
    """The stale-series gauge: drawn, in a panel with stale_seconds, newest point older than the shortest."""
    audience = Audience(
        board({"series": ["a", "b"], "stale_seconds": 10}, {"series": ["b"], "stale_seconds": 60}, {"series": ["c"]}),
        MAX_SERIES,
    )
    windows = {
        "a": window("a", ts=(80.0,)),  # 20 s old, past 10: stale
        "b": window("b", ts=(95.0,)),  # 5 s old: fresh in both panels
        "c": window("c", ts=(0.0,)),  # old, but its panel never goes stale
        "d": window("d", ts=(0.0,)),  # not drawn
    }
    assert audience.stale(windows, now=100.0) == 1
    assert audience.stale(windows, now=106.0) == 2  # b is now 11 s old: stale by its first panel


def framed(feed: Feed, *series: Series, at: float = 1_800_000_100.25) -> Frame:
    rows = feed.rows(*series)
    payload = frame_payload(rows, feed.windows, WINDOW)
    return Frame(rows[0].id - 1, rows[-1].id, b"every series", None, payload, feed.windows, at)


def test_a_frame_is_encoded_once_per_audience() -> None:
    """Every screen of a dashboard gets the same bytes object; selected once, however many screens ask."""
    feed = Feed()
    frame = framed(feed, "shown.0", "other.0")
    audience = Audience(board({"series": ["shown.*"]}), MAX_SERIES)
    calls = counted(audience)
    first = frame.for_audience(audience)
    assert first is not None
    assert frame.for_audience(audience) is first
    assert calls == [1]


def test_each_dashboard_gets_its_own_encoding() -> None:
    """Two dashboards, two selections of the one frame."""
    feed = Feed()
    frame = framed(feed, "a", "b")
    one = Audience(board({"series": ["a"]}, name="one"), MAX_SERIES)
    two = Audience(board({"series": ["b"]}, name="two"), MAX_SERIES)
    _, data_one = event_json(frame.for_audience(one) or b"")
    _, data_two = event_json(frame.for_audience(two) or b"")
    assert list(data_one["updates"]) == ["a"]
    assert list(data_two["updates"]) == ["b"]


def test_a_frame_with_nothing_for_the_dashboard_is_none_and_not_selected_again() -> None:
    """None is cached too: the next screen of the dashboard does not select again."""
    feed = Feed()
    frame = framed(feed, "other.0", "other.1")
    audience = Audience(board({"series": ["shown.*"]}), MAX_SERIES)
    calls = counted(audience)
    assert frame.for_audience(audience) is None
    assert frame.for_audience(audience) is None
    assert calls == [1]


def test_a_frame_without_a_payload_is_none_for_a_dashboard() -> None:
    """A frame built without its payload (data only) has nothing to select from."""
    assert Frame(0, 1, b"x").for_audience(Audience(board({"series": ["*"]}), MAX_SERIES)) is None


def test_the_encoded_event_holds_only_the_selected_series_and_now() -> None:
    """A frame event at the frame's end id, its JSON the selection plus "now", the frame's clock in ms."""
    feed = Feed()
    feed.frame("shown.0", "other.0")  # seen before: not new in the frame below
    frame = framed(feed, "shown.0", "other.0", "shown.1", "other.1", at=1_800_000_100.25)
    fields, data = event_json(frame.for_audience(Audience(board({"series": ["shown.*"]}), MAX_SERIES)) or b"")
    assert fields == {"id": str(frame.end), "event": "frame"}
    assert set(data) == {"updates", "new", "now"}
    assert set(data["updates"]) == {"shown.0", "shown.1"}
    assert data["new"] == {"shown.1": {"name": "shown.1", "labels": {}, "panels": ["p0"]}}
    assert data["now"] == x_value(1_800_000_100.25) == 1_800_000_100_250
    assert frame.payload is not None
    assert data["updates"] == json.loads(json.dumps({k: frame.payload["updates"][k] for k in ("shown.0", "shown.1")}))


def test_row_keys_and_series_keys_agree() -> None:
    """The keys audiences select by are the keys frames are made with."""
    row = Row(1, "cpu", canonical_labels({"host": "a"}), 0.0, 1.0)
    assert row_key(row) == key("cpu", {"host": "a"}) == 'cpu{"host":"a"}'

