"""Where a panel is drawn: figures built from data, and the axis ranges of a panel (pure).

Frames carry data only; the page applies the theme and computes each panel's ranges from
its traces' extents, the same way as `x_range` and `y_range` here (assets/pulseboard-updates.js;
tests/fixtures/updates.json holds the cases both must agree on).
"""

from __future__ import annotations

import copy
import html
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from live.model import label_dict

BIGGEST = sys.float_info.max
# The page's font (assets/fonts, @font-face in assets/pulseboard.css), for the graphs' text too.
FONT = "Inter, system-ui, sans-serif"
# The page's palette (assets/pulseboard.css: keep the two in step): the graph's background is its
# panel's, text and axis labels its text and muted colours, and the lines a softened colourway,
# lighter on dark. Axis labels are muted: below the values and titles in the page's hierarchy.
THEMES: dict[str, dict[str, Any]] = {
    "light": {
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"color": "#1f2630"},
        "colorway": ["#4a7fc1", "#d9822b", "#3f9a6e", "#c75c7a", "#8467c4", "#3a9fb0", "#a8893a", "#6b7785"],
        "xaxis": {"gridcolor": "#edf0f3", "linecolor": "#d3d8df", "tickfont": {"color": "#667181"}},
        "yaxis": {"gridcolor": "#edf0f3", "linecolor": "#d3d8df", "tickfont": {"color": "#667181"}},
    },
    "dark": {
        "paper_bgcolor": "#171c23",
        "plot_bgcolor": "#171c23",
        "font": {"color": "#d9dee5"},
        "colorway": ["#7ea6dd", "#e6a15c", "#62b98c", "#dc7f99", "#a38be0", "#5dbccb", "#c8ac5e", "#929dab"],
        "xaxis": {"gridcolor": "#232a33", "linecolor": "#38414d", "tickfont": {"color": "#8b96a3"}},
        "yaxis": {"gridcolor": "#232a33", "linecolor": "#38414d", "tickfont": {"color": "#8b96a3"}},
    },
}


class Trace(NamedTuple):
    """One series' window as a panel draws it: x in ms, and its extents."""

    key: str
    name: str
    labels: str
    xs: list[int]
    ys: list[float]


def x_value(ts: float) -> int:
    """Return a timestamp as Plotly date-axis milliseconds: shorter on the wire than ISO text."""
    return round(ts * 1000)


def plain_text(text: str) -> str:
    """Escape text for Plotly, which reads titles and names as a subset of HTML."""
    return html.escape(text, quote=False)


# Characters of a panel's title drawn at most: a longer one ends in "…" (a 200-character name ran
# past a 620 px graph: issue 13); the whole name is in each line's hover, which names its series.
TITLE_CHARS = 48


def short_title(title: str) -> str:
    """Return a panel's title cut to TITLE_CHARS code points, ending in an ellipsis when it was cut."""
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def legend_name(name: str, labels: str) -> str:
    """Return a trace's legend entry: its labels as k=v, or the series name when it has none."""
    pairs = label_dict(labels)
    return ", ".join(f"{key}={value}" for key, value in sorted(pairs.items())) if pairs else name


def x_extent(xs: Sequence[int]) -> list[int] | None:
    """Return [oldest, newest] of a window kept in time order, or None when empty."""
    return [xs[0], xs[-1]] if xs else None


def y_extent(ys: Iterable[float]) -> list[float] | None:
    """Return [min, max] of the values, or None when there are none."""
    values = list(ys)
    return [min(values), max(values)] if values else None


def x_range(extents: Iterable[Sequence[int] | None]) -> list[int]:
    """Return the x range that shows every trace's whole window."""
    known = [extent for extent in extents if extent]
    if not known:
        return [0, 1000]
    first, last = min(e[0] for e in known), max(e[1] for e in known)
    return [first, last] if last > first else [first - 1000, first + 1000]


def y_range(extents: Iterable[Sequence[float] | None]) -> list[float]:
    """Return a y range around every trace's values, with a little room above and below.

    Any double is a valid value, so nothing here may overflow: the span is taken in halves
    and the result clamped (1.7976931348623157e308 once stopped every screen: issue 12).
    The page computes ranges with the same operations, so both give the same doubles.
    """
    known = [extent for extent in extents if extent]
    if not known:
        return [0.0, 1.0]
    low, high = min(e[0] for e in known), max(e[1] for e in known)
    pad = (high / 2 - low / 2) * 0.16 or abs(high) * 0.1 or 1.0
    return [max(-BIGGEST, low - pad), min(BIGGEST, high + pad)]


def trace_figure(trace: Trace) -> dict[str, Any]:
    """Return one trace of a panel: a line, named for its legend."""
    return {
        **copy.deepcopy(TRACE_TEMPLATE),
        # The series key, for whoever reads the page (tests, the script) to tell traces apart.
        "meta": trace.key,
        "name": plain_text(legend_name(trace.name, trace.labels)),
        "x": trace.xs,
        "y": trace.ys,
        "mode": trace_mode(len(trace.xs)),
    }


def trace_mode(points: int) -> str:
    """Return how a trace draws: a lone point needs a marker to be seen at all.

    Past that, lines only: styling a marker per point was half the browser's time (CDP profile).
    """
    return "lines+markers" if points < 2 else "lines"


TRACE_TEMPLATE: dict[str, Any] = {
    "type": "scatter",
    "mode": "lines",
    "name": "",
    "x": [],
    "y": [],
    "line": {"width": 2},
    "marker": {"size": 3},
    "hovertemplate": "%{x|%H:%M:%S.%L}<br>%{y}<extra>%{fullData.name}</extra>",
}


def panel_figure(title: str, traces: Sequence[Trace], theme: str = "light") -> dict[str, Any]:
    """Return the figure of one panel: a line per trace, a date x axis, ranges set to the data.

    Ranges are explicit because Plotly.animate never autoranges: each frame's patch moves them.
    """
    figure = copy.deepcopy(FIGURE_TEMPLATE)
    figure["layout"]["title"]["text"] = plain_text(short_title(title))
    figure["data"] = [trace_figure(trace) for trace in traces]
    figure["layout"]["xaxis"]["range"] = x_range(x_extent(trace.xs) for trace in traces)
    figure["layout"]["yaxis"]["range"] = y_range(y_extent(trace.ys) for trace in traces)
    return themed(figure, theme)


def themed(figure: dict[str, Any], theme: str) -> dict[str, Any]:
    """Return the figure with a theme's layout keys merged in (the page does the same)."""
    layout = figure["layout"]
    for key, value in THEMES[theme].items():
        layout[key] = {**layout.get(key, {}), **value} if isinstance(value, dict) else value
    return figure


FIGURE_TEMPLATE: dict[str, Any] = {
    "data": [],
    "layout": {
        "title": {"text": "", "x": 0.01, "xanchor": "left", "yref": "container", "y": 0.98, "yanchor": "top"},
        # Exactly what Plotly writes back into gd.layout after animating the ranges: dcc.Graph
        # copies any difference into the figure prop, and that costs a second animation.
        # ticklabeloverflow "allow": otherwise Plotly measures every tick label at each step
        # of every axis animation (a quarter of the browser's time in a CDP profile).
        "xaxis": {"type": "date", "range": [0, 1000], "autorange": False, "ticklabeloverflow": "allow"},
        "yaxis": {"type": "linear", "range": [0.0, 1.0], "autorange": False, "ticklabeloverflow": "allow"},
        # Room above for the title and a legend line under it, below for the date Plotly writes
        # under the first time tick (a legend below the plot covered it; beside the title, it
        # covered the title in a narrow panel).
        "margin": {"l": 50, "r": 20, "t": 56, "b": 45},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
        "font": {"family": FONT, "size": 12},
    },
}


def animation_options(duration_ms: int, easing: str) -> dict[str, Any]:
    """Return dcc.Graph animation options whose animation ends within one frame."""
    return {
        # No redraw: a frame moves points and axis ranges, which Plotly animates. A layout
        # change it cannot animate is drawn by its control without animation.
        "frame": {"duration": duration_ms, "redraw": False},
        "transition": {"duration": duration_ms, "easing": easing},
        "mode": "immediate",
    }
