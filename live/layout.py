"""The dashboard page: component ids, the layout, and what the browser script is told (pure)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from live.figures import FIGURE_TEMPLATE, THEMES, TRACE_TEMPLATE, animation_options

GRAPH_TYPE = "pb-graph"
GRAPHS = "pb-graphs"
CURSOR = "pb-cursor"
SETTINGS = "pb-settings"
STATUS = "pb-status"
THEME = "pb-theme"
THEME_INIT = "pb-theme-init"


def graph_id(panel: str) -> dict[str, str]:
    """Return the pattern-matching id of a panel's graph.

    Panel ids are p0, p1, ...: never a series name, as Dash's renderer breaks on dict ids
    with a "." in a value, and series names have dots.
    """
    return {"type": GRAPH_TYPE, "panel": panel}


def graph_props(config: dict[str, Any]) -> dict[str, Any]:
    """Return the dcc.Graph properties every panel's graph shares."""
    return {
        "animate": True,
        "animation_options": animation_options(config["ANIMATION_MS"], config["ANIMATION_EASING"]),
        "config": {"displaylogo": False, "responsive": True},
        "className": "pb-graph",
        "style": {"height": "280px"},
    }


def script_settings(config: dict[str, Any], stream_url: str) -> dict[str, Any]:
    """Return what the browser script needs: where to stream from, how to draw, the themes."""
    return {
        "stream": stream_url,
        "window": config["WINDOW_POINTS"],
        "graph": graph_props(config),
        "themes": THEMES,
        "templates": {"figure": FIGURE_TEMPLATE, "trace": TRACE_TEMPLATE},
    }


def layout(config: dict[str, Any], stream_url: str) -> html.Div:
    """Return the page: controls, an empty grid the load callback fills, and the script's settings."""
    return html.Div(
        className="pb-page",
        children=[
            html.Header(
                className="pb-header",
                children=[
                    html.H1("Pulseboard"),
                    html.Span("connecting", id=STATUS, className="pb-status"),
                    html.Label(
                        className="pb-control",
                        children=[
                            "theme ",
                            dcc.RadioItems(id=THEME, options=list(THEMES), value="light", inline=True),
                        ],
                    ),
                ],
            ),
            html.Main(id=GRAPHS, className="pb-graphs", children=[]),
            dcc.Store(id=THEME_INIT),
            dcc.Store(id=CURSOR),
            dcc.Store(id=SETTINGS, data=script_settings(config, stream_url)),
        ],
    )
