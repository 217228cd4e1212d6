"""What every screen holds of one series: its newest points by time, and how a frame changes it (pure).

A window is the series' newest `size` points ordered by (timestamp, event id). Every screen's
trace is the window at some event id plus the frames after that id, so one update, built
here, is right for all of them.

Points usually arrive in time order and are appended. A late one (stamped before the
window's newest) lands in its place, and the trace is sent whole instead of extended,
which is rare and keeps the page's work simple. A late point older than everything a full
window holds is stored but not drawn: it is not among the newest `size`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from live.figures import trace_mode, x_value
from live.model import Row, label_dict


class Window:
    """One series' newest points: times, values, and the values' extent, kept as it goes."""

    __slots__ = ("name", "labels", "size", "ts", "ys", "low", "high")

    def __init__(self, name: str, labels: str, size: int, rows: Sequence[Row] = ()) -> None:
        self.name = name
        self.labels = labels
        self.size = size
        self.ts: list[float] = []
        self.ys: list[float] = []
        self.low = self.high = 0.0
        if rows:
            self.add(rows)

    def __len__(self) -> int:
        return len(self.ts)

    def xs(self) -> list[int]:
        """Return the window's times as Plotly milliseconds."""
        return [x_value(ts) for ts in self.ts]

    def extents(self) -> tuple[list[int] | None, list[float] | None]:
        """Return [oldest, newest] x and [min, max] y, or None for an empty window."""
        if not self.ts:
            return None, None
        return [x_value(self.ts[0]), x_value(self.ts[-1])], [self.low, self.high]

    def add(self, rows: Sequence[Row]) -> dict[str, Any] | None:
        """Take the rows (in id order) and return the update that does the same to a trace, or None.

        Keys: x and y, the points to append; replace, true when they are the whole window;
        drop, how many of the oldest points go after appending; mode, the trace's new mode
        when it changes; xr and yr, the window's extents after the update.
        """
        before = len(self.ts)
        update = self._append(rows) if self._in_order(rows) else self._insert(rows)
        if update is None:
            return None
        if trace_mode(before) != trace_mode(len(self.ts)):
            update["mode"] = trace_mode(len(self.ts))
        update["xr"], update["yr"] = self.extents()
        return update

    def _in_order(self, rows: Sequence[Row]) -> bool:
        newest = self.ts[-1] if self.ts else float("-inf")
        for row in rows:
            if row.ts < newest:
                return False
            newest = row.ts
        return True

    def _append(self, rows: Sequence[Row]) -> dict[str, Any]:
        ts = [row.ts for row in rows]
        ys = [row.value for row in rows]
        self.ts += ts
        self.ys += ys
        drop = len(self.ts) - self.size
        dropped: list[float] = []
        if drop > 0:
            dropped = self.ys[:drop]
            del self.ts[:drop], self.ys[:drop]
        self._extend_extent(ys, dropped)
        if len(rows) >= self.size:
            return {"x": self.xs(), "y": list(self.ys), "replace": True}
        update: dict[str, Any] = {"x": [x_value(t) for t in ts], "y": ys}
        if drop > 0:
            update["drop"] = drop
        return update

    def _insert(self, rows: Sequence[Row]) -> dict[str, Any] | None:
        changed = False
        for row in rows:
            # bisect_right: a point with the same time as one held goes after it, as its id is larger.
            at = bisect_right(self.ts, row.ts)
            if at == 0 and len(self.ts) >= self.size:
                continue  # older than a full window: stored, not drawn
            self.ts.insert(at, row.ts)
            self.ys.insert(at, row.value)
            if len(self.ts) > self.size:
                del self.ts[0], self.ys[0]
            changed = True
        if not changed:
            return None
        self._measure()  # rare: the whole window
        return {"x": self.xs(), "y": list(self.ys), "replace": True}

    def _extend_extent(self, added: Sequence[float], dropped: Sequence[float]) -> None:
        # Kept as points come and go, so a frame costs the new points, not the whole window;
        # measured again only when the window is new or a point at the minimum or maximum left.
        if len(added) >= len(self.ys) or any(value <= self.low or value >= self.high for value in dropped):
            self._measure()
        elif added:
            self.low = min(self.low, min(added))
            self.high = max(self.high, max(added))

    def _measure(self) -> None:
        self.low, self.high = (min(self.ys), max(self.ys)) if self.ys else (0.0, 0.0)

    def trace(self) -> dict[str, Any]:
        """Return the whole window as a reset carries it: name, labels, points and extents."""
        xr, yr = self.extents()
        return {
            "name": self.name,
            "labels": label_dict(self.labels),
            "x": self.xs(),
            "y": list(self.ys),
            "xr": xr,
            "yr": yr,
        }
