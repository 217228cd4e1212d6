"""Baseline (c): a Dash 4.4 websocket callback that pushes set_props with Patch() to each page.

A persistent callback (no Input, no Output, websocket=True) runs for the life of each
page's websocket: it polls SQLite at the update rate and pushes the new points as a Patch.
"""

from __future__ import annotations

import asyncio

import aiosqlite
from dash import Dash, Patch, ctx, dcc, html, set_props
from quart import Quart

from benchmarks.baselines.common import autorange_figure, graph_id, read_after, read_window, read_window_now, settings

SETTINGS = settings()
server = Quart(__name__)
app = Dash(__name__, server=server, title="websocket + Patch", update_title=None)


def serve_layout() -> html.Div:
    """Return the page with each graph's window as of now."""
    return html.Div(
        [
            dcc.Graph(
                id=graph_id(i),
                figure=autorange_figure(s, read_window_now(SETTINGS.database, s, SETTINGS.window)),
                style={"height": "280px"},
            )
            for i, s in enumerate(SETTINGS.series)
        ]
    )


app.layout = serve_layout


@app.callback(websocket=True, persistent=True)
async def stream() -> None:
    """Push each graph's new points as a Patch until the page's websocket closes."""
    ws = ctx.websocket
    async with aiosqlite.connect(SETTINGS.database) as db:
        cursors, lengths = {}, {}
        for series in SETTINGS.series:
            rows = await read_window(db, series, SETTINGS.window)
            cursors[series] = rows[-1].id if rows else 0
            lengths[series] = len(rows)
        while ws is not None and not ws.is_shutdown:
            await asyncio.sleep(1 / SETTINGS.rate)
            for i, series in enumerate(SETTINGS.series):
                cursors[series], xs, ys = await read_after(db, series, cursors[series])
                if not xs:
                    continue
                patch = Patch()
                patch["data"][0]["x"].extend(xs)
                patch["data"][0]["y"].extend(ys)
                # Keep the window: drop as many points from the front as went past it.
                excess = max(0, lengths[series] + len(xs) - SETTINGS.window)
                lengths[series] += len(xs) - excess
                for _ in range(excess):
                    del patch["data"][0]["x"][0]
                    del patch["data"][0]["y"][0]
                set_props(graph_id(i), {"figure": patch})
