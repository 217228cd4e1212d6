"""The Python screen model against the table the page's script is held to (tests/js/updates.test.js)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from live.figures import FIGURE_TEMPLATE, THEMES, TRACE_TEMPLATE, Trace, panel_figure
from live.model import canonical_labels, series_key
from tests.support.screen import Screen, figure

TABLE = json.loads((Path(__file__).parent.parent / "fixtures" / "updates.json").read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in TABLE["cases"]}
PANELS = {f"{panel['title']} ({panel['theme']})": panel for panel in TABLE["panels"]}


def _extents(trace: dict[str, list[Any]]) -> list[Any]:
    """Return a window's [xr, yr] as live/window.py measures it: oldest and newest x, least and most y."""
    if not trace["x"]:
        return [None, None]
    return [[trace["x"][0], trace["x"][-1]], [min(trace["y"]), max(trace["y"])]]


def _screen(case: dict[str, Any]) -> Screen:
    traces = {f"t{index}": dict(trace) for index, trace in enumerate(case["figure"]["data"])}
    extents = {key: _extents(trace) for key, trace in traces.items()}
    return Screen(traces=traces, extents=extents, names=dict.fromkeys(traces, "panel"))


@pytest.mark.parametrize("name", CASES)
def test_updates_applied_in_order_leave_the_expected_figure(name: str) -> None:
    """Each case's updates, applied one by one, leave the figure the page's Patches leave."""
    case = CASES[name]
    screen = _screen(case)
    for index, update in case["updates"]:
        screen.apply_update(f"t{index}", update)
    keys = list(screen.traces)
    assert figure([screen.traces[key] for key in keys], case["extents"]) == case["expected"]
    assert screen.panel("panel") == case["expected"], "the ranges from the extents the updates carried"


@pytest.mark.parametrize("name", CASES)
def test_each_case_is_what_a_window_would_send(name: str) -> None:
    """The table itself: every trace's extents are its expected window's, and no range is infinite."""
    case = CASES[name]
    for trace, extent in zip(case["expected"]["data"], case["extents"], strict=True):
        assert extent == _extents(trace)
        assert len(trace["x"]) <= case["window"]
    layout = case["expected"]["layout"]
    assert all(math.isfinite(value) for value in [*layout["xaxis"]["range"], *layout["yaxis"]["range"]])


@pytest.mark.parametrize("name", PANELS)
def test_panel_figures_are_built_as_the_page_builds_them(name: str) -> None:
    """live/figures.py builds the panels the page builds from the same templates and themes."""
    panel = PANELS[name]
    traces = []
    for trace in panel["traces"]:
        labels = canonical_labels(trace["labels"])
        traces.append(Trace(series_key(trace["name"], labels), trace["name"], labels, trace["x"], trace["y"]))
    assert panel_figure(panel["title"], traces, panel["theme"]) == panel["expected"]


def test_the_table_has_the_templates_and_themes_the_page_gets() -> None:
    """The page's cases were built from today's templates and themes (pb-settings carries these)."""
    assert TABLE["templates"] == {"figure": FIGURE_TEMPLATE, "trace": TRACE_TEMPLATE}
    assert TABLE["themes"] == THEMES


def test_a_frame_then_a_reset_apply_by_series_key() -> None:
    """Frames name new traces and extend them; a reset assigns each trace's whole window."""
    key = series_key("cpu", canonical_labels({"host": "a"}))
    screen = Screen()
    frame = {"updates": {key: {"x": [1000], "y": [1.0], "xr": [1000, 1000], "yr": [1.0, 1.0]}},
             "new": {key: {"name": "cpu", "labels": {"host": "a"}}}}  # fmt: skip
    screen.apply({"event": "frame", "id": "1", "data": json.dumps(frame)})
    assert screen.traces == {key: {"x": [1000], "y": [1.0]}}
    reset = {"traces": {key: {"name": "cpu", "labels": {"host": "a"}, "x": [2000, 3000], "y": [2.0, 4.0],
                              "xr": [2000, 3000], "yr": [2.0, 4.0]}}, "db": "d"}  # fmt: skip
    screen.apply({"event": "reset", "id": "7", "data": json.dumps(reset)})
    assert (screen.kinds, screen.last_id) == (["frame", "reset"], "7")
    assert screen.panel("cpu") == figure([{"x": [2000, 3000], "y": [2.0, 4.0]}], [[[2000, 3000], [2.0, 4.0]]])
