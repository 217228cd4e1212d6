"""What the baselines share: settings from the environment and the window query."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import aiosqlite

from live.figures import Trace, panel_figure, x_value
from live.model import Row


@dataclass(frozen=True)
class Settings:
    """A baseline's settings: the database, the series it shows, the window and the update rate."""

    database: str
    series: list[str]
    window: int
    rate: float
    columns: int = 0  # 0: one graph under another, 280 px high; else a grid filling the screen (a wall)


def settings() -> Settings:
    """Read BASELINE_* from the environment."""
    return Settings(
        database=os.environ.get("BASELINE_DATABASE", "instance/pulseboard.sqlite3"),
        series=os.environ.get("BASELINE_SERIES", "bench.0").split(","),
        window=int(os.environ.get("BASELINE_WINDOW", "1000")),
        rate=float(os.environ.get("BASELINE_RATE", "1")),
        columns=int(os.environ.get("BASELINE_COLUMNS", "0")),
    )


WINDOW_SQL = (
    "SELECT p.id, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
    " WHERE s.name = ? AND s.labels = '' ORDER BY p.ts DESC, p.id DESC LIMIT ?"
)
# +p.series_id: walk the ids after `after`, not the series' whole (series_id, ts) index.
AFTER_SQL = (
    "SELECT p.id, p.ts, p.value FROM points p JOIN series s ON s.id = +p.series_id"
    " WHERE s.name = ? AND s.labels = '' AND p.id > ? ORDER BY p.id"
)


async def read_window(db: aiosqlite.Connection, series: str, limit: int) -> list[Row]:
    """Return the series' last `limit` points, oldest first."""
    async with db.execute(WINDOW_SQL, (series, limit)) as cursor:
        rows = list(await cursor.fetchall())
    return [Row(i, series, "", ts, value) for i, ts, value in reversed(rows)]


def read_window_now(path: str, series: str, limit: int) -> list[Row]:
    """Return the series' last `limit` points, read synchronously (for a layout function)."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(WINDOW_SQL, (series, limit)).fetchall()
    return [Row(i, series, "", ts, value) for i, ts, value in reversed(rows)]


def autorange_figure(series: str, rows: list[Row]) -> dict[str, Any]:
    """Return the same figure as Pulseboard draws, but autoranged, as extendData and Patch users keep it."""
    fig = panel_figure(series, [Trace(series, series, "", [x_value(r.ts) for r in rows], [r.value for r in rows])])
    fig["layout"]["xaxis"].pop("range")
    fig["layout"]["yaxis"].pop("range")
    return fig


async def read_after(db: aiosqlite.Connection, series: str, after: int) -> tuple[int, list[int], list[float]]:
    """Return the series' points after id `after` as (last id, x ms, y)."""
    async with db.execute(AFTER_SQL, (series, after)) as cursor:
        rows = list(await cursor.fetchall())
    last = rows[-1][0] if rows else after
    return last, [x_value(ts) for _, ts, _ in rows], [value for _, _, value in rows]


def grid_styles(count: int, columns: int) -> tuple[dict[str, str], dict[str, str]]:
    """Return the styles of the graphs' container and of each graph: a column of 280 px graphs, or a wall's grid."""
    if not columns:
        return {}, {"height": "280px"}
    rows = -(-count // columns)
    grid = {"display": "grid", "gridTemplateColumns": f"repeat({columns}, 1fr)", "height": "100vh"}
    return grid, {"height": f"calc(100vh / {rows})", "minWidth": "0"}


def graph_id(index: int) -> str:
    """Return the id of the graph of the index-th series."""
    return f"graph-{index}"
