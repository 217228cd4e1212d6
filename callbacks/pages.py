"""The pages: `/` (the dashboards, or every series when there is no dashboards file), `/d/<name>`, `/all`.

Dash pages (registered per app by `init_app`); each layout is built when the page is asked
for, from the dashboards in force then, so an edit of the file shows on the next load too.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, html

from live import get_live
from live.dashboards.playlist import interval_seconds, playlist_names
from live.layout import home_layout, kiosk_mode, layout, missing_layout, problem_layout
from live.range_bar import PLAYLIST_LIVE, asks_range, live_only_note, range_bar

STREAM_PATH = "/api/stream"


def init_app(dash_app: Dash) -> None:
    """Register the pages on the app (Dash's page registry is global: a later app's pages replace these)."""

    def home(page: str | None = None, playlist: str | None = None, **query: Any) -> html.Div:
        """Show the dashboards to choose from, or, with none defined, every series; ?playlist=a,b,c rotates them."""
        live = get_live()
        if playlist is not None:
            return rotating(playlist, **query)
        if not live.dashboards.names:
            return every_series(page, **query)
        boards = [
            (board.name, board.heading, len(board.panels), dash_app.get_relative_path(f"/d/{board.name}"))
            for board in live.dashboards.file.dashboards
        ]
        return live_only(home_layout(boards, dash_app.get_relative_path("/all"), live.dashboards.error), query)

    def every_series(page: str | None = None, **query: Any) -> html.Div:
        """Show one panel per series name (a page of them), new series appearing live."""
        live = get_live()
        home_url = dash_app.get_relative_path("/") if live.dashboards.names else None
        stream = dash_app.get_relative_path(STREAM_PATH)
        number = int(page) if page and page.isascii() and page.isdigit() and 1 <= int(page) <= 10_000 else 1
        drawn = layout(live.config, stream, page=number, home_url=home_url, error=live.dashboards.error)
        return live_only(drawn, query)

    def dashboard(
        name: str | None = None, kiosk: str | None = None, playlist: str | None = None, **query: Any
    ) -> html.Div:
        """Show one dashboard of the file (its panels are drawn by the load callback); ?kiosk=1 for a wall."""
        if playlist is not None:
            return rotating(playlist, kiosk=kiosk, **query)
        live = get_live()
        board = live.dashboards.get(name) if name else None
        home_url = dash_app.get_relative_path("/")
        if board is None:
            return missing_layout(name, home_url)
        stream = dash_app.get_relative_path(STREAM_PATH)
        wall = kiosk_mode(kiosk, board.kiosk)
        page = layout(
            live.config, stream, dashboard=board.name, title=board.heading, home_url=home_url,
            error=live.dashboards.error, kiosk=wall,
        )
        if not wall:  # a wall screen shows now; a desk's page may look back (assets/pulseboard-history.js)
            page.children.insert(1, range_bar(live.config["RETENTION_SECONDS"]))
        return page

    def rotating(
        playlist: str, kiosk: str | None = None, interval: str | None = None, **query: Any
    ) -> html.Div:
        """Show a playlist's dashboards in turn over one stream (?playlist=a,b,c&interval=30s)."""
        live = get_live()
        home_url = dash_app.get_relative_path("/")
        if asks_range(query):  # refused, not ignored: a wall would show now while its URL said otherwise
            return problem_layout(f"This playlist cannot be shown: {PLAYLIST_LIVE}.", home_url)
        try:
            names = playlist_names(playlist)
            seconds = interval_seconds(interval)
        except ValueError as error:
            return problem_layout(f"This playlist cannot be shown: {error}.", home_url)
        boards = [live.dashboards.get(name) for name in names]
        if None in boards:
            return missing_layout(names[boards.index(None)], home_url)
        return layout(
            live.config, dash_app.get_relative_path(STREAM_PATH), playlist=names, interval=seconds,
            title=boards[0].heading if boards[0] else "Pulseboard", home_url=home_url, error=live.dashboards.error,
            kiosk=kiosk_mode(kiosk, all(board.kiosk for board in boards if board)),
        )

    dash.register_page("pulseboard.home", path="/", name="Pulseboard", title="Pulseboard", layout=home)
    dash.register_page("pulseboard.all", path="/all", name="All series", title="All series · Pulseboard",
                       layout=every_series)
    dash.register_page("pulseboard.dashboard", path_template="/d/<name>", name="Dashboard",
                       title=_dashboard_title, layout=dashboard)


def live_only(page: html.Div, query: dict[str, Any]) -> html.Div:
    """Return the page, saying under its header that it does not look back if its URL asks it to."""
    if asks_range(query):
        page.children.insert(1, live_only_note())
    return page


def _dashboard_title(name: str | None = None) -> str:
    return f"{name} · Pulseboard" if name else "Pulseboard"
