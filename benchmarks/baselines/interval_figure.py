"""Baseline (a): dcc.Interval polls an async callback that reads the window and returns whole figures.

Dash's usual live pattern (the dash-wind-streaming shape, done well): one Interval at the
update rate, one async callback for all graphs, a connection per call, plain dict figures.
"""

from __future__ import annotations

from typing import Any

import aiosqlite
from dash import Dash, Input, Output, dcc, html
from quart import Quart

from benchmarks.baselines.common import autorange_figure, graph_id, read_window, settings

SETTINGS = settings()
server = Quart(__name__)
app = Dash(__name__, server=server, title="Interval + figure", update_title=None)
app.layout = html.Div(
    [
        *[dcc.Graph(id=graph_id(i), style={"height": "280px"}) for i in range(len(SETTINGS.series))],
        dcc.Interval(id="tick", interval=1000 / SETTINGS.rate),
    ]
)


@app.callback([Output(graph_id(i), "figure") for i in range(len(SETTINGS.series))], Input("tick", "n_intervals"))
async def refresh(_n: int | None) -> list[dict[str, Any]]:
    """Return every graph's figure, its window read afresh."""
    async with aiosqlite.connect(SETTINGS.database) as db:
        return [autorange_figure(s, await read_window(db, s, SETTINGS.window)) for s in SETTINGS.series]
