"""What a page shows, built from the stream's events as assets/pulseboard.js builds it: the Python applier.

The one model of a screen the tests compare with the database. tests/unit/test_updates_table.py
holds it to the table (tests/fixtures/updates.json) that the page's own arithmetic
(assets/pulseboard-updates.js) is held to, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from live.figures import x_range, y_range

Points = dict[str, list[Any]]


def patched(points: Points, update: Mapping[str, Any]) -> Points:
    """Return a trace's x and y after an update, as the update's Patch leaves them."""
    if update.get("replace"):
        xs, ys = list(update["x"]), list(update["y"])
    else:
        xs, ys = [*points["x"], *update["x"]], [*points["y"], *update["y"]]
    drop = update.get("drop", 0)
    return {"x": xs[drop:], "y": ys[drop:]}


@dataclass
class Screen:
    """Per series key the points its trace holds, the trace's extents and its series name (its panel)."""

    traces: dict[str, Points] = field(default_factory=dict)
    extents: dict[str, list[Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    last_id: str | None = None
    kinds: list[str] = field(default_factory=list)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Apply one 'frame' or 'reset' event ({'event', 'id', 'data'}, as parse_events returns them)."""
        payload = json.loads(event["data"])
        self.kinds.append(event["event"])
        self.last_id = event["id"]
        if event["event"] == "reset":
            for key, trace in payload["traces"].items():
                self.names[key] = trace["name"]
                self.traces[key] = {"x": list(trace["x"]), "y": list(trace["y"])}
                self.extents[key] = [trace["xr"], trace["yr"]]
            return
        for key, new in payload.get("new", {}).items():
            self.names.setdefault(key, new["name"])
            self.traces.setdefault(key, {"x": [], "y": []})
        for key, update in payload["updates"].items():
            self.apply_update(key, update)

    def apply_update(self, trace: str, update: Mapping[str, Any]) -> None:
        """Apply one trace's update (the trace named by its series key, which it must have)."""
        self.traces[trace] = patched(self.traces[trace], update)
        if "xr" in update or "yr" in update:
            self.extents[trace] = [update.get("xr"), update.get("yr")]

    def panel(self, name: str) -> dict[str, Any]:
        """Return what the panel of a series name shows: its traces' points, and its axis ranges."""
        keys = [key for key, named in self.names.items() if named == name]
        return figure([self.traces[key] for key in keys], [self.extents.get(key) for key in keys])


def figure(traces: list[Points], extents: list[list[Any] | None]) -> dict[str, Any]:
    """Return a panel's points and the ranges the page computes from its traces' [xr, yr]."""
    spans = [extent or [None, None] for extent in extents]
    return {
        "data": [{"x": trace["x"], "y": trace["y"]} for trace in traces],
        "layout": {
            "xaxis": {"range": x_range(xr for xr, _ in spans)},
            "yaxis": {"range": y_range(yr for _, yr in spans)},
        },
    }
