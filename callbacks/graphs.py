"""Callbacks of the graphs: draw them at page load; the browser script does the rest."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, dcc

from live import get_live
from live.figures import THEMES
from live.layout import CURSOR, GRAPHS, SETTINGS, STATUS, THEME, THEME_INIT, graph_id, graph_props
from live.panels import auto_panels, panel_figures


async def load_graphs(theme: str | None) -> tuple[list[dcc.Graph], dict[str, Any]]:
    """Draw each panel's windows, as of the framer's last frame, in this viewer's theme."""
    live = get_live()
    upto, windows = await live.screens.initial()
    panels = auto_panels(windows)
    figures = panel_figures(panels, windows, theme if theme in THEMES else "light")
    props = graph_props(live.config)
    graphs = [dcc.Graph(id=graph_id(panel.id), figure=fig, **props) for panel, fig in zip(panels, figures, strict=True)]
    cursor = {"after": upto, "db": live.store.database_id, "panels": [panel.cursor(windows) for panel in panels]}
    return graphs, cursor


def init_app(dash_app: Dash) -> None:
    """Register this module's callbacks on the app."""
    # The theme is the viewer's (?theme=, else what they chose last, kept in localStorage): the
    # script knows it before the graphs are drawn, and they are drawn in it.
    dash_app.clientside_callback(
        ClientsideFunction(namespace="pulseboard", function_name="initialTheme"),
        Output(THEME, "value"),
        Output(THEME_INIT, "data"),
        Input(GRAPHS, "id"),
    )
    dash_app.callback(Output(GRAPHS, "children"), Output(CURSOR, "data"), Input(THEME_INIT, "data"))(load_graphs)
    # A theme change is the viewer's alone: drawn in the page, nothing asked of the server.
    dash_app.clientside_callback(
        ClientsideFunction(namespace="pulseboard", function_name="setTheme"),
        Output(THEME, "className"),
        Input(THEME, "value"),
        State(SETTINGS, "data"),
        prevent_initial_call=True,
    )
    # The browser script opens the stream once the page knows where its graphs stand.
    dash_app.clientside_callback(
        ClientsideFunction(namespace="pulseboard", function_name="connect"),
        Output(STATUS, "children"),
        Input(CURSOR, "data"),
        State(SETTINGS, "data"),
        prevent_initial_call=True,
    )
