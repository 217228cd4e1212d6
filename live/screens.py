"""The stream protocol's one owner: how a screen starts, resumes after a cut, and follows the frames.

Page load, a reset and a resume all start from the same state, each series' window as of
an event id (`initial`), so what a screen is sent is the same whichever way it arrives.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable

from live import metrics
from live.dashboards.audience import AutoAudience, Selection
from live.dashboards.current import Dashboards
from live.fanout import Broadcast, Ended
from live.figures import x_value
from live.framer import DASHBOARDS_CHANGED, HEARTBEAT, Frame, Framer, load_windows
from live.model import row_key, series_key
from live.sse import ServerSentEvent
from live.store import Store
from live.updates import encode_event, frame_payload, reset_payload
from live.window import Window


class Screens:
    """Builds what each screen is sent: a reset or a catch-up, then every new frame."""

    def __init__(
        self,
        store: Store,
        framer: Framer,
        frames: Broadcast[Frame],
        dashboards: Dashboards,
        *,
        window: int,
        replay_max: int,
        retry_ms: int,
        heartbeat: float,
    ) -> None:
        self.store = store
        self.framer = framer
        self.frames = frames
        self.dashboards = dashboards
        self.window = window
        self.replay_max = replay_max
        self.retry_ms = retry_ms
        self.heartbeat = heartbeat

    async def initial(self, audience: Selection | AutoAudience) -> tuple[int, dict[str, Window]]:
        """Return the framer's last event id and, as of it, the windows of the series an audience draws.

        The framer's id, not the store's: the page's stream carries on from exactly there.
        """
        upto = self.framer.last
        windows, _, _ = await self.shown(upto, audience)
        return upto, windows

    async def shown(
        self, upto: int, audience: Selection | AutoAudience
    ) -> tuple[dict[str, Window], dict[str, tuple[str, ...]], bool]:
        """Return the windows at `upto` of the series an audience draws, their panels, and whether that is all.

        The audience picks from the series' names first and only its windows are read: a page of
        50 names read every window of 2,000 series in 10-27 s before (issue 13, finding 1).
        """
        every = await self.store.series()
        placed: dict[str, tuple[str, ...]] = {}
        for name, labels in every:
            key = series_key(name, labels)
            panels = audience.place(key, name, labels)
            if panels:
                placed[key] = panels
        windows = await load_windows(self.store, upto, self.window, placed)
        return windows, {key: placed[key] for key in windows}, len(placed) == len(every)

    async def reset(self, upto: int, audience: Selection | AutoAudience | None = None) -> bytes:
        """Return an event that replaces every trace (of an audience's, if given) with its window at `upto`."""
        if audience is None:
            windows = await load_windows(self.store, upto, self.window)
            # The database id lets a screen that was on another database start over on this one.
            return encode_event("reset", upto, reset_payload(windows, self.store.database_id))
        windows, placed, everything = await self.shown(upto, audience)
        if isinstance(audience, AutoAudience) and everything:
            return encode_event("reset", upto, reset_payload(windows, self.store.database_id))
        payload = reset_payload(windows, self.store.database_id)
        for key, panels in placed.items():
            payload["traces"][key]["panels"] = list(panels)
        payload["capped"] = audience.capped()
        payload["now"] = x_value(time.time())
        return encode_event("reset", upto, payload)

    async def catch_up(self, after: int, upto: int, audience: Selection | AutoAudience | None = None) -> bytes:
        """Return one event taking a screen whose traces stand at `after` to `upto`."""
        if upto - after > self.replay_max:
            return await self.reset(upto, audience)
        rows = await self.store.between(after, upto)
        # Only the windows of the series these rows advance: the frame needs no other.
        windows = await load_windows(self.store, after, self.window, {row_key(row) for row in rows})
        payload = frame_payload(rows, windows, self.window)
        if audience is None:
            return encode_event("frame", upto, payload)
        selected = audience.select(payload, windows)
        if selected is None:
            return moved_on(upto)
        if selected is payload:
            return encode_event("frame", upto, payload)
        return encode_event("frame", upto, {**selected, "now": x_value(time.time())})

    async def can_resume(self, after: int, database_id: str) -> bool:
        """Tell whether a screen at `after` can be brought forward by replay, not reset."""
        if database_id != self.store.database_id or after > await self.store.last_id():
            return False
        return after >= await self.store.resume_floor()

    async def events(
        self,
        after: int | None,
        database_id: str,
        dashboard: str | None = None,
        page: int = 1,
        abort: Callable[[], None] | None = None,
        playlist: tuple[str, ...] | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """Yield the events that bring a screen at `after` up to date, then every new frame.

        With a dashboard's name, only its series (live/dashboards/audience.py), with a playlist's
        names those of its dashboards, else those of a page of the automatic dashboard; when the
        dashboards file changes, the screen is told, and a dashboard whose panels changed
        starts over with a reset for its new selection. `abort` drops the screen's connection
        if it is cut for not reading (live/connections.py).
        """
        yield ServerSentEvent(comment="pulseboard", retry=self.retry_ms).encode()
        loop = asyncio.get_running_loop()
        # Subscribe before reading where the framer stands: every frame after `upto` is queued.
        # Counted as open, and cut if its client stops reading (live/open_streams.py says why).
        async with self.frames.subscribe(abort) as frames:
            version = self.dashboards.version
            audience = self.dashboards.for_screen(dashboard, playlist, page)
            if audience is None:
                yield self._dashboards_event(changed=True)
                return
            upto = self.framer.last
            if after is None or not await self.can_resume(after, database_id):
                yield await self.reset(upto, audience)
                metrics.FRAMES_SENT.inc()
                cursor = upto
            else:
                if after < upto:
                    yield await self.catch_up(after, upto, audience)
                    metrics.FRAMES_SENT.inc()
                cursor = max(after, upto)
            written = loop.time()
            while True:
                try:
                    frame = await frames.get()
                except Ended:
                    return  # too slow, or shutting down: the browser resumes from Last-Event-ID
                if self.dashboards.version != version:
                    version = self.dashboards.version
                    now_audience = self.dashboards.for_screen(dashboard, playlist, page)
                    changed = now_audience is not audience
                    yield self._dashboards_event(changed=changed)
                    if now_audience is None:
                        return  # the dashboard left the file: the page says so and stops
                    if changed:
                        audience = now_audience
                        yield await self.reset(cursor, audience)
                    written = loop.time()
                if frame is DASHBOARDS_CHANGED:
                    continue
                if frame is HEARTBEAT:  # nothing new for a while: keeps proxies from closing the stream
                    yield frame.data
                    written = loop.time()
                    continue
                if frame.end <= cursor:
                    continue
                # A frame that does not start where this screen stands is rebuilt from the store.
                if frame.start != cursor:
                    data = await self.catch_up(cursor, frame.end, audience)
                else:
                    data = frame.for_audience(audience)
                    if data is None and loop.time() - written >= self.heartbeat:
                        # Nothing for this dashboard for a while, but frames for others: the id
                        # moves on (a resume starts from here) and the proxy sees the stream alive.
                        data = moved_on(frame.end)
                cursor = frame.end
                if data is None:
                    continue
                yield data
                written = loop.time()
                if frame.made is not None:  # counted as sent by the framer; lag sampled (live/framer.py)
                    metrics.STREAM_LAG.observe(time.monotonic() - frame.made)

    def _dashboards_event(self, *, changed: bool) -> bytes:
        """Return the event telling a screen the dashboards changed: rebuild its panels, or show an error.

        It carries no id: it moves no trace; the reset after it, if any, does.
        """
        payload = {"version": self.dashboards.version, "changed": changed, "error": self.dashboards.error}
        return ServerSentEvent(data=json.dumps(payload), event="dashboards").encode()


def moved_on(upto: int) -> bytes:
    """Return an event that only moves a screen's event id: nothing in the frames up to it is for it."""
    return ServerSentEvent(id=str(upto)).encode()
