"""Where new points become Dash Patch operations for each graph (pure)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from typing import Any

from live.figures import figure, trace_mode, x_range, x_value, y_range
from live.sse import ServerSentEvent
from live.store import Row, group_by_series

PATCH_KEY = "__dash_patch_update"


class Window:
    """What every screen's graph of one series holds: its last `size` points.

    Every screen holds the same, because each graph is the window at some event id plus
    the frames after that id; so one patch, built here, is right for all of them.
    """

    __slots__ = ("xs", "ys")

    def __init__(self, size: int, rows: Sequence[Row] = ()) -> None:
        self.xs: deque[int] = deque((x_value(row.ts) for row in rows), maxlen=size)
        self.ys: deque[float] = deque((row.value for row in rows), maxlen=size)

    def __len__(self) -> int:
        return len(self.xs)


def _operation(name: str, location: list[str | int], **params: Any) -> dict[str, Any]:
    # The shape dash.Patch serialises to, built directly: a frame may carry thousands.
    return {"operation": name, "location": location, "params": params}


def extend(window: Window, xs: Sequence[int], ys: Sequence[float]) -> dict[str, Any]:
    """Append the points to the window and return the Patch that does the same to a graph."""
    size = window.xs.maxlen or len(xs)
    before = len(window)
    window.xs.extend(xs)
    window.ys.extend(ys)
    if len(xs) >= size:
        operations = [
            _operation("Assign", ["data", 0, "x"], value=list(window.xs)),
            _operation("Assign", ["data", 0, "y"], value=list(window.ys)),
        ]
    else:
        trim = before + len(xs) - len(window)
        operations = [
            _operation("Extend", ["data", 0, "x"], value=list(xs)),
            _operation("Extend", ["data", 0, "y"], value=list(ys)),
            *[_operation("Delete", ["data", 0, axis, 0]) for axis in ("x", "y") for _ in range(trim)],
        ]
    if trace_mode(before) != trace_mode(len(window)):
        operations.append(_operation("Assign", ["data", 0, "mode"], value=trace_mode(len(window))))
    operations.append(_operation("Assign", ["layout", "xaxis", "range"], value=x_range(window.xs)))
    operations.append(_operation("Assign", ["layout", "yaxis", "range"], value=y_range(window.ys)))
    return {PATCH_KEY: PATCH_KEY, "operations": operations}


def frame_payload(rows: Sequence[Row], windows: dict[str, Window], size: int) -> dict[str, Any]:
    """Return one frame's content for these rows, advancing `windows` past them.

    A series with no window yet gets an empty figure under "new", for screens to add.
    """
    patches: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for series, series_rows in group_by_series(rows).items():
        window = windows.get(series)
        if window is None:
            window = windows[series] = Window(size)
            new[series] = figure(series, ())
        xs = [x_value(row.ts) for row in series_rows]
        ys = [row.value for row in series_rows]
        patches[series] = extend(window, xs, ys)
    payload: dict[str, Any] = {"patches": patches}
    if new:
        payload["new"] = new
    return payload


def encode_event(kind: str, last_id: int, payload: dict[str, Any]) -> bytes:
    """Serialise a frame or reset once, as the SSE event every viewer is sent."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return ServerSentEvent(data=data, event=kind, id=str(last_id)).encode()
