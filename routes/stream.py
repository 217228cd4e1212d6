"""Where frames leave: GET /api/stream, server-sent events, one stream per tab."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

from quart import Blueprint, Response, abort, make_response, request

from live import Live, get_live, metrics
from live.frames import HEARTBEAT
from live.hub import Ended
from live.sse import ServerSentEvent

bp = Blueprint("stream", __name__)

HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-store",
    # nginx would otherwise hold frames back in its buffer (buffering is on by default).
    "X-Accel-Buffering": "no",
}


def _cursor(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


async def frames_after(live: Live, after: int | None, database_id: str) -> AsyncGenerator[bytes, None]:
    """Yield the events that bring a screen at `after` up to date, then every new frame."""
    framer = live.framer
    yield ServerSentEvent(comment="pulseboard", retry=live.config["RETRY_MS"]).encode()
    # Subscribe before reading where the framer stands: every frame after `upto` is queued.
    # Counted as open, and cut if its client stops reading (live/streams.py says why).
    async with live.streams.subscribe() as frames:
        upto = framer.last
        if after is None or not await framer.can_resume(after, database_id):
            yield await framer.reset(upto)
            metrics.FRAMES_SENT.inc()
            cursor = upto
        else:
            if after < upto:
                yield await framer.catch_up(after, upto)
                metrics.FRAMES_SENT.inc()
            cursor = max(after, upto)
        while True:
            try:
                frame = await frames.get()
            except Ended:
                return  # too slow, or shutting down: the browser resumes from Last-Event-ID
            if frame is HEARTBEAT:  # nothing new for a while: keeps proxies from closing the stream
                yield frame.data
                continue
            if frame.end <= cursor:
                continue
            # A frame that does not start where this screen stands is rebuilt from SQLite.
            yield frame.data if frame.start == cursor else await framer.catch_up(cursor, frame.end)
            cursor = frame.end
            if frame.made is not None:  # counted as sent by the framer; lag sampled (live/frames.py)
                metrics.STREAM_LAG.observe(time.monotonic() - frame.made)


@bp.get("/api/stream")
async def stream() -> Response:
    """Stream frames as text/event-stream, resuming after Last-Event-ID when given."""
    if "text/event-stream" not in request.accept_mimetypes:
        abort(406, "this endpoint speaks text/event-stream only")
    live = get_live()
    after = _cursor(request.headers.get("Last-Event-ID") or request.args.get("after"))
    database_id = request.args.get("db", live.store.database_id)
    response = await make_response(frames_after(live, after, database_id), HEADERS)
    response.timeout = None  # Quart's RESPONSE_TIMEOUT would cut the stream after 60 s
    return response
