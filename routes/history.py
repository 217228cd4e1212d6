"""Looking back: GET /api/history (downsampled JSON) and GET /api/export.csv (raw points, streamed).

Both are behind the dashboard's login (live/access.py: every view not marked otherwise).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from live import get_live
from live.dashboards.audience import Audience
from live.downsample import min_max, plan
from live.export_csv import header, label_columns, rows_csv
from live.model import InvalidInput, label_dict, series_key
from live.store import StorageError
from live.timerange import TimeRange, check_asked, points_wanted, series_keys, time_range

bp = Blueprint("history", __name__)
EXPORT_CHUNK = 10_000  # rows per read and per piece of the answer: memory stays flat however long the range


@bp.errorhandler(InvalidInput)
async def reject_input(error: InvalidInput) -> tuple[Response, int]:
    """Answer a bad parameter with a JSON body naming it."""
    return jsonify(error.to_dict()), error.status


@bp.errorhandler(HTTPException)
async def reject_http(error: HTTPException) -> tuple[Response, int]:
    """Answer any other HTTP error as JSON with its own status (not Dash's 500 page)."""
    return jsonify(error=error.description or error.name), error.code or 400


@bp.errorhandler(StorageError)
async def storage_unavailable(error: StorageError) -> tuple[Response, int, dict[str, str]]:
    """Answer a storage failure with 503: try again."""
    return jsonify(error=f"storage unavailable: {error}"), 503, {"Retry-After": "1"}


async def _asked() -> tuple[list[str], TimeRange, dict[str, tuple[str, str]]]:
    """Return the series keys asked for, the range, and every stored series."""
    asked = request.args.getlist("series")
    check_asked(asked)  # 10,000 series in one request are refused before the store is asked
    span = _span()
    stored = await stored_series()
    return series_keys(asked, stored), span, stored


def _span() -> TimeRange:
    retention = get_live().config["RETENTION_SECONDS"]
    return time_range(request.args.get("from"), request.args.get("to"), now=time.time(), retention=retention)


async def _panels_asked(name: str, stored: dict[str, tuple[str, str]]) -> tuple[dict[str, list[str]], TimeRange]:
    """Return each asked panel's series keys on dashboard `name` (its screens' placing), and the range."""
    if "series" in request.args:
        raise InvalidInput("give series or dashboard, not both", field="dashboard", status=400)
    span = _span()
    audience = get_live().dashboards.audience(name)
    if not isinstance(audience, Audience):
        raise InvalidInput(f"dashboard {name[:200]!r} is not in the dashboards file", field="dashboard", status=404)
    asked = request.args.getlist("panel")
    if len(asked) > len(audience.dashboard.panels):
        raise InvalidInput(f"panel may be given at most once per panel of {name!r}", field="panel", status=400)
    return audience.panel_keys(list(stored.values()), asked), span


async def stored_series() -> dict[str, tuple[str, str]]:
    """Return every stored series as {series key: (name, labels)}."""
    return {series_key(name, labels): (name, labels) for name, labels in await get_live().store.series()}


@bp.get("/api/history")
async def history() -> Response:
    """Return the series over a range, at most `points` per series (each bucket's lowest and highest).

    Each series also has its first point in the range and its last at or before the range's end
    (`first`, `last`: [ms, value] or null), which downsampling may have left out of x and y.
    `?dashboard=NAME` (with `panel=p0`..., else all of them) in place of `series` asks for what
    those panels draw, placed as their screens' are, and says which keys each one drew under
    `panels`: a page asks once for all its panels, without waiting for its stream to tell it.
    """
    points = points_wanted(request.args.get("points"))
    panels = None
    if "dashboard" in request.args:
        stored = await stored_series()
        panels, span = await _panels_asked(request.args["dashboard"], stored)
        keys = list(dict.fromkeys(key for drawn in panels.values() for key in drawn))
    else:
        keys, span, stored = await _asked()
    buckets, resolution = plan(span.start, span.end, points)
    found = await get_live().store.history(keys, span.start, span.end, resolution)
    # numpy off the event loop: a long range is ~10 ms of it per series, and streams wait meanwhile.
    drawn, ends = await asyncio.gather(
        asyncio.to_thread(_reduce, found, span, buckets), get_live().store.ends(keys, span.start, span.end))
    series = {
        key: {"name": stored[key][0], "labels": label_dict(stored[key][1]), "x": x, "y": y,
              "first": _point(ends.get(key, (None, None))[0]), "last": _point(ends.get(key, (None, None))[1])}
        for key, (x, y) in drawn.items()
    }
    answer = {"from": _iso(span.start), "to": _iso(span.end), "points": points, "series": series}
    if panels is not None:
        answer["panels"] = panels
    return Response(orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY), mimetype="application/json")


def _reduce(
    found: dict[str, tuple[Sequence[float], Sequence[float]]], span: TimeRange, buckets: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    drawn = {}
    for key, (ts, values) in found.items():
        kept_ts, kept = min_max(ts, values, span.start, span.end, buckets)
        # Plotly's date milliseconds, as frames carry them (live/figures.x_value), a column at a time.
        # Contiguous columns: orjson writes them as they are (OPT_SERIALIZE_NUMPY).
        x = np.ascontiguousarray(np.rint(kept_ts * 1000), dtype=np.int64)
        drawn[key] = (x, np.ascontiguousarray(kept, dtype=np.float64))
    return drawn


def _point(point: tuple[float, float] | None) -> list[float] | None:
    """Return a stored point as [Plotly ms, value], as the traces' points are, or None."""
    return None if point is None else [round(point[0] * 1000), point[1]]


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


@bp.get("/api/export.csv")
async def export_csv() -> Response:
    """Stream the raw points of the series over a range as CSV: ISO 8601 times, labels as columns."""
    keys, span, stored = await _asked()
    store = get_live().store
    labels = label_columns(stored[key][1] for key in keys)
    rows = store.export(keys, span.start, span.end, chunk=EXPORT_CHUNK)
    name = f"pulseboard-{_iso(span.start)}-{_iso(span.end)}.csv".replace(":", "")
    response = Response(_lines(rows, labels), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Accel-Buffering"] = "no"
    response.timeout = None  # a long export may take longer than Quart's 60 s RESPONSE_TIMEOUT
    return response


async def _lines(rows: AsyncIterator[list[Any]], labels: list[str]) -> AsyncIterator[bytes]:
    yield header(labels).encode()
    async for chunk in rows:
        yield (await asyncio.to_thread(rows_csv, chunk, labels)).encode()
