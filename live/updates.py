"""Where committed rows become each trace's update, and frames and resets their events (pure).

An update says what changes in one trace: points appended, how many of the oldest to drop,
the trace's extents (live/window.py). Frames carry data only: which panel a trace is drawn
in, its colours and its panel's axis ranges are the page's business (assets/), so one
encoded frame serves every viewer, whatever their theme or dashboard.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from live.model import Row, label_dict, row_key
from live.sse import ServerSentEvent
from live.window import Window


def group_by_series(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Split rows by series key, keeping their order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row_key(row)].append(row)
    return grouped


def frame_payload(rows: Sequence[Row], windows: dict[str, Window], size: int) -> dict[str, Any]:
    """Return one frame's content for these rows, advancing `windows` past them.

    "updates" holds one update per series key; a series seen for the first time is also
    named under "new" (its name and labels), for screens to give it a trace. A frame whose
    rows change nothing on screen (late points older than a full window) still goes out,
    empty, so every screen's event id moves on with the framer's.
    """
    updates: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key, series_rows in group_by_series(rows).items():
        window = windows.get(key)
        if window is None:
            first = series_rows[0]
            window = windows[key] = Window(first.series, first.labels, size)
            new[key] = {"name": first.series, "labels": label_dict(first.labels)}
        update = window.add(series_rows)
        if update is not None:
            updates[key] = update
    payload: dict[str, Any] = {"updates": updates}
    if new:
        payload["new"] = new
    return payload


def reset_payload(windows: Mapping[str, Window], database_id: str) -> dict[str, Any]:
    """Return a reset's content: every series' whole window, and the database it came from."""
    return {"traces": {key: window.trace() for key, window in windows.items()}, "db": database_id}


def encode_event(kind: str, last_id: int, payload: dict[str, Any]) -> bytes:
    """Serialise a frame or reset once, as the SSE event every viewer is sent."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return ServerSentEvent(data=data, event=kind, id=str(last_id)).encode()
