"""Where new points become each graph's patch: one compact update per series per frame (pure).

An update says what changes in a graph: points appended, how many of the oldest to drop,
the new axis ranges. `assets/pulseboard.js` turns it into the Dash Patch operations it
stands for (Extend x and y, Delete from the front, Assign the ranges) and hands that Patch
to the graph. Spelled as Patch operations on the wire, one point cost 604 B, about 90 B per
operation of `{"operation":…,"location":[…],"params":{…}}` (BENCHMARKS.md, Bytes); as an
update it costs about 130 B.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from typing import Any

from live.figures import figure, trace_mode, x_range, x_value, y_range
from live.sse import ServerSentEvent
from live.store import Row, group_by_series


class Window:
    """What every screen's graph of one series holds: its last `size` points.

    Every screen holds the same, because each graph is the window at some event id plus
    the frames after that id; so one update, built here, is right for all of them.
    """

    __slots__ = ("xs", "ys")

    def __init__(self, size: int, rows: Sequence[Row] = ()) -> None:
        self.xs: deque[int] = deque((x_value(row.ts) for row in rows), maxlen=size)
        self.ys: deque[float] = deque((row.value for row in rows), maxlen=size)

    def __len__(self) -> int:
        return len(self.xs)


def extend(window: Window, xs: Sequence[int], ys: Sequence[float]) -> dict[str, Any]:
    """Append the points to the window and return the update that does the same to a graph.

    Keys: x and y, the points to append; replace, true when they are the whole window
    (the graph's points are assigned, not extended); drop, how many of the oldest points
    go; mode, the trace's new mode when it changes; xrange and yrange, the axis ranges.
    """
    size = window.xs.maxlen or len(xs)
    before = len(window)
    window.xs.extend(xs)
    window.ys.extend(ys)
    update: dict[str, Any]
    if len(xs) >= size:
        update = {"x": list(window.xs), "y": list(window.ys), "replace": True}
    else:
        update = {"x": list(xs), "y": list(ys)}
        drop = before + len(xs) - len(window)
        if drop:
            update["drop"] = drop
    if trace_mode(before) != trace_mode(len(window)):
        update["mode"] = trace_mode(len(window))
    update["xrange"] = x_range(window.xs)
    update["yrange"] = y_range(window.ys)
    return update


def apply_update(fig: dict[str, Any], update: dict[str, Any]) -> None:
    """Apply an update to a figure, as the browser's Patch does (for tests and tools)."""
    trace, layout = fig["data"][0], fig["layout"]
    if update.get("replace"):
        trace["x"], trace["y"] = list(update["x"]), list(update["y"])
    else:
        drop = update.get("drop", 0)
        trace["x"] = [*trace["x"], *update["x"]][drop:]
        trace["y"] = [*trace["y"], *update["y"]][drop:]
    if "mode" in update:
        trace["mode"] = update["mode"]
    layout["xaxis"]["range"] = update["xrange"]
    layout["yaxis"]["range"] = update["yrange"]


def frame_payload(rows: Sequence[Row], windows: dict[str, Window], size: int) -> dict[str, Any]:
    """Return one frame's content for these rows, advancing `windows` past them.

    "updates" holds one update per series; a series with no window yet also gets an empty
    figure under "new", for screens to add.
    """
    updates: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for series, series_rows in group_by_series(rows).items():
        window = windows.get(series)
        if window is None:
            window = windows[series] = Window(size)
            new[series] = figure(series, ())
        xs = [x_value(row.ts) for row in series_rows]
        ys = [row.value for row in series_rows]
        updates[series] = extend(window, xs, ys)
    payload: dict[str, Any] = {"updates": updates}
    if new:
        payload["new"] = new
    return payload


def encode_event(kind: str, last_id: int, payload: dict[str, Any]) -> bytes:
    """Serialise a frame or reset once, as the SSE event every viewer is sent."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return ServerSentEvent(data=data, event=kind, id=str(last_id)).encode()
