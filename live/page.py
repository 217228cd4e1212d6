"""The dashboard page: component ids and the layout (pure)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from live.figures import THEMES, animation_options

GRAPHS = "pb-graphs"
CURSOR = "pb-cursor"
SETTINGS = "pb-settings"
STATUS = "pb-status"
THEME = "pb-theme"


def graph_props(config: dict[str, Any]) -> dict[str, Any]:
    """Return the dcc.Graph properties every series' graph shares."""
    return {
        "animate": True,
        "animation_options": animation_options(config["ANIMATION_MS"], config["ANIMATION_EASING"]),
        "config": {"displaylogo": False, "responsive": True},
        "className": "pb-graph",
        "style": {"height": "280px"},
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
            dcc.Store(id=CURSOR),
            dcc.Store(
                id=SETTINGS,
                data={"stream": stream_url, "graph": graph_props(config), "window": config["WINDOW_POINTS"]},
            ),
        ],
    )
