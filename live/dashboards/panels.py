"""How a dashboard's panels are drawn: line, stat and gauge, built from their definitions (pure).

The page holds the panels' structure; their points come with the stream's first event
(a reset of this dashboard's series), so page load, a resume and an edit of the file all
fill the panels the same way (assets/pulseboard-dashboard.js).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from live.dashboards.audience import panel_id
from live.dashboards.model import Dashboard, PanelSpec
from live.figures import FIGURE_TEMPLATE, plain_text, themed

PANEL_TYPE = "pb-panel"
AGE_TYPE = "pb-age"
NOTE_TYPE = "pb-note"
VALUE_TYPE = "pb-value"
CHANGE_TYPE = "pb-change"
GAUGE_TYPE = "pb-gauge"
SLIDE_TYPE = "pb-slide"  # one dashboard of a playlist


def part_id(kind: str, panel: str) -> dict[str, str]:
    """Return the id of one part of a panel (its box, age, note, value, change or gauge)."""
    return {"type": kind, "panel": panel}


def hover_template(spec: PanelSpec) -> str:
    """Return a line's hover text: the time, the value with the panel's decimals and unit, the trace."""
    number = "%{y}" if spec.decimals is None else f"%{{y:.{spec.decimals}f}}"
    unit = f" {plain_text(spec.unit)}" if spec.unit else ""
    return f"%{{x|%H:%M:%S}}<br>{number}{unit}<extra>%{{fullData.name}}</extra>"


def line_figure(spec: PanelSpec, theme: str) -> dict[str, Any]:
    """Return a line panel's figure with no traces yet: axes, unit, thresholds, legend."""
    figure = copy.deepcopy(FIGURE_TEMPLATE)
    layout = figure["layout"]
    del layout["title"]  # the panel's title is the page's, above the graph: it ellipsises
    layout["margin"] = {"l": 56, "r": 16, "t": 28, "b": 40}
    layout["legend"]["y"] = 1.02
    layout["yaxis"]["ticksuffix"] = f" {plain_text(spec.unit)}" if spec.unit else ""
    layout["yaxis"]["automargin"] = True  # room for the unit beside each tick
    if spec.min is not None and spec.max is not None:
        layout["yaxis"]["range"] = [spec.min, spec.max]
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": threshold.value,
            "y1": threshold.value,
            "line": {"color": threshold.color, "width": 1.5, "dash": "dash"},
        }
        for threshold in spec.thresholds
    ]
    return themed(figure, theme)


def sparkline_figure(theme: str) -> dict[str, Any]:
    """Return a stat panel's sparkline: a line and its area, no axes, no margins."""
    figure = {
        "data": [],
        "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "xaxis": {"type": "date", "visible": False, "range": [0, 1000], "autorange": False},
            "yaxis": {"visible": False, "range": [0.0, 1.0], "autorange": False},
            "showlegend": False,
            "hovermode": False,
        },
    }
    return themed(figure, theme)


def panel_settings(spec: PanelSpec, index: int, slide: int | None = None) -> dict[str, Any]:
    """Return what the page's script needs to draw a panel's points, age and colours."""
    return {
        "id": panel_id(index, slide),
        "kind": spec.kind,
        "title": spec.title,
        "unit": spec.unit,
        "decimals": spec.decimals,
        "min": spec.min,
        "max": spec.max,
        "thresholds": [{"value": t.value, "color": t.color} for t in spec.thresholds],
        "stale_seconds": spec.stale_seconds,
        "window_seconds": spec.window_seconds,
        "window_points": spec.window_points,
        "hover": hover_template(spec),
    }


def panel_component(
    spec: PanelSpec, index: int, graph: dict[str, Any], theme: str, slide: int | None = None
) -> html.Section:
    """Return one panel: its head (title, age, note) and its body (a graph, a big value, or a gauge)."""
    pid = panel_id(index, slide)
    head = html.Div(
        className="pb-panel-head",
        children=[
            html.H2(spec.title, className="pb-panel-title", title=spec.title),
            html.Span("", id=part_id(NOTE_TYPE, pid), className="pb-note"),
            html.Span("no data yet", id=part_id(AGE_TYPE, pid), className="pb-age"),
            # The page's script points it at the range shown (assets/pulseboard-history.js).
            *([html.A("CSV", className="pb-export", href="#", title="download this panel's points as CSV",
                      **{"data-panel": pid})] if spec.kind == "line" else []),
        ],
    )
    # Responsive, with no height of its own: a graph takes its panel's room, which the grid gives.
    graph_props = {**graph, "className": "pb-panel-graph", "style": {}, "responsive": True}
    if spec.kind == "line":
        body = [dcc.Graph(id={"type": "pb-graph", "panel": pid}, figure=line_figure(spec, theme), **graph_props)]
    elif spec.kind == "stat":
        body = [
            html.Div(
                className="pb-stat",
                children=[
                    html.Span("–", id=part_id(VALUE_TYPE, pid), className="pb-stat-value"),
                    html.Span("", id=part_id(CHANGE_TYPE, pid), className="pb-stat-change"),
                ],
            ),
            dcc.Graph(
                id={"type": "pb-graph", "panel": pid},
                figure=sparkline_figure(theme),
                **{**graph_props, "className": "pb-sparkline", "config": {**graph["config"], "staticPlot": True}},
            ),
        ]
    else:
        body = [
            html.Div(
                id=part_id(GAUGE_TYPE, pid),
                className="pb-gauge",
                children=[
                    html.Div(className="pb-gauge-arc"),
                    html.Span("–", id=part_id(VALUE_TYPE, pid), className="pb-gauge-value"),
                ],
            )
        ]
    return html.Section(
        id=part_id(PANEL_TYPE, pid),
        className=f"pb-panel pb-kind-{spec.kind}",
        style={"--pb-w": spec.width, "--pb-h": spec.height},
        children=[head, html.Div(className="pb-panel-body", children=body)],
    )


def grid_rows(columns: int, panels: Sequence[PanelSpec]) -> int:
    """Return how many rows the panels take in a grid of `columns`, placed in order as CSS grid places them.

    CSS grid's auto-placement (sparse, row by row): each panel goes at the first place at or after
    the previous panel's where its width and height fit, starting a new row when the width does not.
    A kiosk page shares the screen's height out between exactly these rows.
    """
    taken: set[tuple[int, int]] = set()
    row = column = 0
    for panel in panels:
        width = min(panel.width, columns)
        cells = [(dy, dx) for dy in range(panel.height) for dx in range(width)]
        while column + width > columns or any((row + dy, column + dx) in taken for dy, dx in cells):
            row, column = (row + 1, 0) if column + width >= columns else (row, column + 1)
        taken.update((row + dy, column + dx) for dy, dx in cells)
    return max(row for row, _ in taken) + 1 if taken else 1


def dashboard_panels(
    dashboard: Dashboard, graph: dict[str, Any], theme: str, slide: int | None = None
) -> list[html.Section]:
    """Return every panel of a dashboard, in the file's order (ids of the playlist's `slide`-th dashboard, if given)."""
    return [panel_component(spec, index, graph, theme, slide) for index, spec in enumerate(dashboard.panels)]


def playlist_slides(dashboards: Sequence[Dashboard], graph: dict[str, Any], theme: str) -> list[html.Div]:
    """Return a playlist's dashboards, each in its own grid, the first shown: the page's script rotates them."""
    return [
        html.Div(
            id={"type": SLIDE_TYPE, "slide": slide},
            className="pb-dashboard pb-slide",
            hidden=slide > 0,
            style={"--pb-columns": board.columns, "--pb-rows": grid_rows(board.columns, board.panels)},
            children=dashboard_panels(board, graph, theme, slide),
        )
        for slide, board in enumerate(dashboards)
    ]
