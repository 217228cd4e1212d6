"""Where a series is drawn: figures and graph components built from data (pure)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from live.store import Row

GRAPH_TYPE = "pb-graph"
THEMES: dict[str, dict[str, Any]] = {
    "light": {"paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "font": {"color": "#1d232b"}},
    "dark": {"paper_bgcolor": "#161b22", "plot_bgcolor": "#161b22", "font": {"color": "#e6edf3"}},
}


def graph_id(series: str) -> dict[str, str]:
    """Return the pattern-matching id of a series' graph (any name is a safe id this way)."""
    return {"type": GRAPH_TYPE, "series": series}


def x_value(ts: float) -> int:
    """Return a timestamp as Plotly date-axis milliseconds: shorter on the wire than ISO text."""
    return round(ts * 1000)


def plain_text(text: str) -> str:
    """Escape text for Plotly, which reads titles and names as a subset of HTML."""
    return html.escape(text, quote=False)


def x_range(xs: Sequence[int]) -> list[int]:
    """Return the x range that shows the whole window."""
    if not xs:
        return [0, 1000]
    first, last = xs[0], xs[-1]
    return [first, last] if last > first else [first - 1000, first + 1000]


def y_range(ys: Iterable[float]) -> list[float]:
    """Return a y range around the values, with a little room above and below."""
    values = list(ys)
    if not values:
        return [0.0, 1.0]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    # Rounded to four digits past the span's first: the same picture, and a frame carries
    # "106.92" instead of "106.92000000000002".
    digits = 4 - math.floor(math.log10(2 * pad + high - low))
    return [round(low - pad, digits), round(high + pad, digits)]


def trace_mode(points: int) -> str:
    """Return how a trace draws: a lone point needs a marker to be seen at all.

    Past that, lines only: styling a marker per point was half the browser's time (CDP profile).
    """
    return "lines+markers" if points < 2 else "lines"


def figure(series: str, rows: Sequence[Row], theme: str = "light") -> dict[str, Any]:
    """Return the figure of one series: one line trace, a date x axis, ranges set to the data.

    Ranges are explicit because Plotly.animate never autoranges: each frame's patch moves them.
    """
    name = plain_text(series)
    xs = [x_value(row.ts) for row in rows]
    ys = [row.value for row in rows]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": trace_mode(len(xs)),
                "name": name,
                "x": xs,
                "y": ys,
                "line": {"width": 2},
                "marker": {"size": 3},
                "hovertemplate": "%{x|%H:%M:%S.%L}<br>%{y}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": name, "x": 0.01, "xanchor": "left"},
            # Exactly what Plotly writes back into gd.layout after animating the ranges: dcc.Graph
            # copies any difference into the figure prop, and that costs a second animation.
            # ticklabeloverflow "allow": otherwise Plotly measures every tick label at each step
            # of every axis animation (a quarter of the browser's time in a CDP profile).
            "xaxis": {"type": "date", "range": x_range(xs), "autorange": False, "ticklabeloverflow": "allow"},
            "yaxis": {"type": "linear", "range": y_range(ys), "autorange": False, "ticklabeloverflow": "allow"},
            "margin": {"l": 50, "r": 20, "t": 40, "b": 30},
            **THEMES[theme],
        },
    }


def animation_options(duration_ms: int, easing: str) -> dict[str, Any]:
    """Return dcc.Graph animation options whose animation ends within one frame."""
    return {
        # No redraw: a frame moves points and axis ranges, which Plotly animates. A layout
        # change it cannot animate is drawn by its control without animation (callbacks/graphs.py).
        "frame": {"duration": duration_ms, "redraw": False},
        "transition": {"duration": duration_ms, "easing": easing},
        "mode": "immediate",
    }
