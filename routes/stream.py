"""Where frames leave: GET /api/stream, server-sent events, one stream per tab."""

from __future__ import annotations

import re

from quart import Blueprint, Response, abort, make_response, request

from live import get_live
from live.connections import Connection
from live.dashboards.playlist import playlist_names
from live.dashboards.series_set import series_key
from live.validation import MAX_SERIES_CHARS

bp = Blueprint("stream", __name__)

HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-store",
    # nginx would otherwise hold frames back in its buffer (buffering is on by default).
    "X-Accel-Buffering": "no",
}
# ASCII digits only: str.isdigit() takes "²" and int() refuses 4,301 digits, and both were a 500
# (issue 13, finding 8). 19 digits hold any rowid SQLite makes.
CURSOR = re.compile(r"[0-9]{1,19}")


def _cursor(value: str | None) -> int | None:
    """Return the event id a screen resumes after, or None (a reset) for anything but a plain id."""
    if value is None or not CURSOR.fullmatch(value):
        return None
    return int(value)


def _page(value: str | None) -> int:
    """Return the automatic dashboard's page a screen shows (1 unless a plain number from 1 to 10000)."""
    if value is None or not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 10_000:
        if value is not None:
            abort(400, f"page must be a whole number from 1 to 10000, got {value[:40]!r}")
        return 1
    return int(value)


def _playlist(value: str | None, known: list[str]) -> tuple[str, ...] | None:
    """Return the dashboards a rotating screen shows (?playlist=a,b,c), each known; 400 or 404 naming what is not."""
    if value is None:
        return None
    try:
        names = playlist_names(value)
    except ValueError as error:
        abort(400, f"playlist: {error}")
    missing = [name for name in names if name not in known]
    if missing:
        abort(404, f"playlist: no dashboard named {missing[0]!r}")
    return names


def _series_set(names: list[str], most: int) -> str:
    """Return the audience key of the series a screen asks for (400 for too many, or an empty or long name)."""
    if len(names) > most:
        abort(400, f"series may name at most {most} series (PULSEBOARD_DASHBOARD_MAX_SERIES), got {len(names)}")
    if not all(0 < len(name) <= MAX_SERIES_CHARS for name in names):
        abort(400, f"each series must be a name of 1 to {MAX_SERIES_CHARS} characters")
    return series_key(names)


@bp.get("/api/stream")
async def stream() -> Response:
    """Stream frames as text/event-stream (?dashboard= or ?playlist=: their series only), resuming after Last-Event-ID.

    HEAD answers with the status and headers only (the page's probe after a failed stream).
    """
    if "text/event-stream" not in request.accept_mimetypes:
        abort(406, "this endpoint speaks text/event-stream only")
    live = get_live()
    after = _cursor(request.headers.get("Last-Event-ID") or request.args.get("after"))
    database_id = request.args.get("db", live.store.database_id)
    # A dashboard's screen is sent only its series; without one, every series (the automatic page).
    dashboard = request.args.get("dashboard") or None
    if dashboard is not None and live.dashboards.get(dashboard) is None:
        abort(404, f"no dashboard named {dashboard!r}")
    playlist = _playlist(request.args.get("playlist"), live.dashboards.names)
    # ?series=a&series=b: those series only (a host page's LiveGraphs), whatever the dashboards.
    if series := request.args.getlist("series"):
        dashboard = _series_set(series, live.config["DASHBOARD_MAX_SERIES"])
    if request.method == "HEAD":
        # The page asks after a failed stream whether it needs a login (a 401, answered before this
        # view) or the server was away: the answer a GET would have, never a stream nobody reads.
        return Response(status=200, headers=HEADERS)
    # A client that stops reading holds little of the host's memory, and its socket goes when it
    # is cut (live/connections.py: reached under uvicorn only).
    connection = Connection.of(request.scope)
    if connection is not None:
        connection.cap_send_buffer(live.config["STREAM_SEND_BUFFER_BYTES"])
    drop = connection.abort if connection is not None else None
    page = _page(request.args.get("page"))
    events = live.screens.events(after, database_id, dashboard, page=page, abort=drop, playlist=playlist)
    response = await make_response(events, HEADERS)
    response.timeout = None  # Quart's RESPONSE_TIMEOUT would cut the stream after 60 s
    return response
