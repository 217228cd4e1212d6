"""Callbacks of the graphs: fill them at page load, and change them by Patch from the controls."""

from __future__ import annotations

from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, Patch, State, dcc

from live import get_live
from live.figures import GRAPH_TYPE, THEMES, figure, graph_id
from live.page import CURSOR, GRAPHS, SETTINGS, STATUS, THEME, graph_props

ALL_GRAPHS = {"type": GRAPH_TYPE, "series": ALL}


async def load_graphs(_: str, theme: str) -> tuple[list[dcc.Graph], dict[str, Any]]:
    """Draw each series' recent window, as of the framer's last frame, and say where that is."""
    live = get_live()
    # The framer's last id, not the database's: the stream carries on from exactly here.
    upto = live.framer.last
    windows = await live.store.window(upto, live.config["WINDOW_POINTS"])
    props = graph_props(live.config)
    graphs = [
        dcc.Graph(id=graph_id(series), figure=figure(series, rows, theme), **props) for series, rows in windows.items()
    ]
    return graphs, {"after": upto, "db": live.store.database_id}


async def set_theme(theme: str, ids: list[dict[str, str]]) -> tuple[list[Patch], list[bool]]:
    """Switch every graph between the light and dark theme, sending only the layout change.

    Plotly.animate never draws a layout-only change (the trap met on Dash 4.4.1), so the
    graphs draw this one without animation; the browser script turns animation back on
    with the next frame of points.
    """
    patch = Patch()
    patch["layout"].update(THEMES[theme])
    return [patch] * len(ids), [False] * len(ids)


def init_app(dash_app: Dash) -> None:
    """Register this module's callbacks on the app."""
    dash_app.callback(Output(GRAPHS, "children"), Output(CURSOR, "data"), Input(GRAPHS, "id"), State(THEME, "value"))(
        load_graphs
    )
    dash_app.callback(
        Output(ALL_GRAPHS, "figure"),
        Output(ALL_GRAPHS, "animate"),
        Input(THEME, "value"),
        State(ALL_GRAPHS, "id"),
        prevent_initial_call=True,
    )(set_theme)
    # The browser script opens the stream once the page knows where its graphs stand.
    dash_app.clientside_callback(
        ClientsideFunction(namespace="pulseboard", function_name="connect"),
        Output(STATUS, "children"),
        Input(CURSOR, "data"),
        State(SETTINGS, "data"),
        prevent_initial_call=True,
    )
