"""Baseline (b): dcc.Interval polls an async callback that sends only new points, as extendData.

The figure comes with the page (a layout function); each tick sends the points after the
last id the page has (kept in a dcc.Store), and extendData's maxPoints keeps the window.
"""

from __future__ import annotations

from typing import Any

import aiosqlite
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from quart import Quart

from benchmarks.baselines.common import (
    autorange_figure,
    graph_id,
    grid_styles,
    read_after,
    read_window_now,
    settings,
)

SETTINGS = settings()
server = Quart(__name__)
app = Dash(__name__, server=server, title="Interval + extendData", update_title=None)


def serve_layout() -> html.Div:
    """Return the page with each graph's window as of now, and the ids it stands at."""
    windows = [read_window_now(SETTINGS.database, s, SETTINGS.window) for s in SETTINGS.series]
    grid, graph = grid_styles(len(SETTINGS.series), SETTINGS.columns)
    return html.Div(
        [
            html.Div(
                [
                    dcc.Graph(id=graph_id(i), figure=autorange_figure(s, rows), style=graph)
                    for i, (s, rows) in enumerate(zip(SETTINGS.series, windows, strict=True))
                ],
                style=grid,
            ),
            dcc.Store(
                id="cursor",
                data={s: rows[-1].id if rows else 0 for s, rows in zip(SETTINGS.series, windows, strict=True)},
            ),
            dcc.Interval(id="tick", interval=1000 / SETTINGS.rate),
        ]
    )


app.layout = serve_layout


@app.callback(
    [Output(graph_id(i), "extendData") for i in range(len(SETTINGS.series))],
    Output("cursor", "data"),
    Input("tick", "n_intervals"),
    State("cursor", "data"),
    prevent_initial_call=True,
)
async def extend(_n: int, cursor: dict[str, int]) -> list[Any]:
    """Return the new points of every graph (no_update where none), and the new cursor."""
    updates: list[Any] = []
    async with aiosqlite.connect(SETTINGS.database) as db:
        for series in SETTINGS.series:
            last, xs, ys = await read_after(db, series, cursor.get(series, 0))
            cursor[series] = last
            updates.append(({"x": [xs], "y": [ys]}, [0], SETTINGS.window) if xs else no_update)
    if all(update is no_update for update in updates):
        raise PreventUpdate
    return [*updates, cursor]
