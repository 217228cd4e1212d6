"""Callbacks of the graphs: draw them at page load (and when the dashboards file changed); the script does the rest."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update

from live import get_live
from live.dashboards.audience import AutoAudience
from live.dashboards.panels import dashboard_panels, grid_rows, panel_settings, playlist_slides
from live.figures import THEMES
from live.layout import (
    CURSOR,
    GRAPHS,
    PAGE,
    REBUILD,
    SETTINGS,
    STATUS,
    THEME,
    THEME_INIT,
    TITLE,
    graph_props,
    panel_slot,
)
from live.panels import auto_panels

Drawn = tuple[list[Any], dict[str, Any], dict[str, Any], Any]


async def load_graphs(
    theme_init: str | None, _rebuild: Any, theme: str | None, page: dict[str, Any] | None
) -> Drawn:
    """Draw the page's panels in this viewer's theme: a dashboard's, or one per series name."""
    theme = theme or theme_init
    theme = theme if theme in THEMES else "light"
    page = page or {}
    if page.get("playlist"):
        return draw_playlist(page["playlist"], page.get("interval") or 30, theme, kiosk=bool(page.get("kiosk")))
    name = page.get("dashboard")
    if name is None:
        return await every_series(page.get("page") or 1)  # drawn by the script, in the viewer's theme
    return draw_dashboard(name, theme, kiosk=bool(page.get("kiosk")))


async def every_series(page: int = 1) -> Drawn:
    """Lay out a page of the automatic dashboard: a slot per series name, its windows as of the last frame."""
    live = get_live()
    auto = live.dashboards.auto(page)
    upto, drawn = await live.screens.initial(auto)  # the windows of the names its stream sends
    panels = auto_panels(drawn)
    # Slots, not graphs: the script makes each panel's graph when it is on screen (live/layout.py).
    graphs: list[Any] = [panel_slot(f"p{index}", used=index < len(panels)) for index in range(auto.max_names)]
    if auto.capped() or page > 1:
        graphs.insert(0, pages_note(auto))
    cursor = {"after": upto, "db": live.store.database_id, "page": page,
              "panels": [panel.cursor(drawn) for panel in panels]}
    return graphs, {}, cursor, no_update


def pages_note(auto: AutoAudience) -> html.P:
    """Return what a page of the automatic dashboard says when series names are on other pages."""
    first, seen = (auto.page - 1) * auto.max_names, auto.seen
    links: list[Any] = []
    if auto.page > 1:
        links.append(html.A("previous page", href=f"?page={auto.page - 1}"))
    if seen > first + auto.max_names:
        links.append(html.A("next page", href=f"?page={auto.page + 1}"))
    text = (
        f"Series names {first + 1}–{min(seen, first + auto.max_names)} of {seen:,} "
        f"({auto.max_names} a page, PULSEBOARD_AUTO_MAX_PANELS); "
        "a dashboard (DASHBOARDS.md) shows the ones you choose. "
    )
    return html.P([text, *[part for link in links for part in (link, " ")]], className="pb-left-out")


def draw_dashboard(name: str, theme: str, kiosk: bool = False) -> Drawn:
    """Draw a dashboard's panels, empty: the stream's first event (a reset of its series) fills them."""
    live = get_live()
    board = live.dashboards.get(name)
    if board is None:  # removed from the file since the page loaded
        return [html.P(f"The dashboard {name!r} is no longer in the dashboards file.")], {}, {}, no_update
    panels = dashboard_panels(board, graph_props(live.config), theme)
    cursor = {
        "after": None,
        "db": live.store.database_id,
        "dashboard": name,
        "kiosk": kiosk,
        "dashboardPanels": [panel_settings(spec, index) for index, spec in enumerate(board.panels)],
    }
    grid = {"--pb-columns": board.columns, "--pb-rows": grid_rows(board.columns, board.panels)}
    return panels, grid, cursor, board.heading


def draw_playlist(names: list[str], interval: float, theme: str, kiosk: bool = False) -> Drawn:
    """Draw every dashboard of a playlist, the first shown: one reset fills them all; the script rotates them."""
    live = get_live()
    boards = [live.dashboards.get(name) for name in names]
    missing = [name for name, board in zip(names, boards, strict=True) if board is None]
    if missing:  # removed from the file since the page loaded
        return [html.P(f"The dashboard {missing[0]!r} is no longer in the dashboards file.")], {}, {}, no_update
    shown = [board for board in boards if board is not None]
    cursor = {
        "after": None,
        "db": live.store.database_id,
        "playlist": names,
        "interval": interval,
        "kiosk": kiosk,
        "slides": [board.heading for board in shown],
        "dashboardPanels": [
            panel_settings(spec, index, slide)
            for slide, board in enumerate(shown)
            for index, spec in enumerate(board.panels)
        ],
    }
    return playlist_slides(shown, graph_props(live.config), theme), {}, cursor, shown[0].heading


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
    dash_app.callback(
        Output(GRAPHS, "children"),
        Output(GRAPHS, "style"),
        Output(CURSOR, "data"),
        Output(TITLE, "children"),
        Input(THEME_INIT, "data"),
        Input(REBUILD, "data"),
        State(THEME, "value"),
        State(PAGE, "data"),
        prevent_initial_call=True,
    )(load_graphs)
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
