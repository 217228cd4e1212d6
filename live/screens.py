"""The stream protocol's one owner: how a screen starts, resumes after a cut, and follows the frames.

Page load, a reset and a resume all start from the same state, each series' window as of
an event id (`initial`), so what a screen is sent is the same whichever way it arrives.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

from live import metrics
from live.fanout import Broadcast, Ended
from live.framer import HEARTBEAT, Frame, Framer, load_windows
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
        *,
        window: int,
        replay_max: int,
        retry_ms: int,
    ) -> None:
        self.store = store
        self.framer = framer
        self.frames = frames
        self.window = window
        self.replay_max = replay_max
        self.retry_ms = retry_ms

    async def initial(self) -> tuple[int, dict[str, Window]]:
        """Return the framer's last event id and every series' window as of it, for a page to draw.

        The framer's id, not the store's: the page's stream carries on from exactly there.
        """
        upto = self.framer.last
        return upto, await load_windows(self.store, upto, self.window)

    async def reset(self, upto: int) -> bytes:
        """Return an event that replaces every trace with its window at `upto`."""
        windows = await load_windows(self.store, upto, self.window)
        # The database id lets a screen that was on another database start over on this one.
        return encode_event("reset", upto, reset_payload(windows, self.store.database_id))

    async def catch_up(self, after: int, upto: int) -> bytes:
        """Return one event taking a screen whose traces stand at `after` to `upto`."""
        if upto - after > self.replay_max:
            return await self.reset(upto)
        rows = await self.store.between(after, upto)
        windows = await load_windows(self.store, after, self.window)
        return encode_event("frame", upto, frame_payload(rows, windows, self.window))

    async def can_resume(self, after: int, database_id: str) -> bool:
        """Tell whether a screen at `after` can be brought forward by replay, not reset."""
        if database_id != self.store.database_id or after > await self.store.last_id():
            return False
        return after >= await self.store.resume_floor()

    async def events(self, after: int | None, database_id: str) -> AsyncGenerator[bytes, None]:
        """Yield the events that bring a screen at `after` up to date, then every new frame."""
        yield ServerSentEvent(comment="pulseboard", retry=self.retry_ms).encode()
        # Subscribe before reading where the framer stands: every frame after `upto` is queued.
        # Counted as open, and cut if its client stops reading (live/open_streams.py says why).
        async with self.frames.subscribe() as frames:
            upto = self.framer.last
            if after is None or not await self.can_resume(after, database_id):
                yield await self.reset(upto)
                metrics.FRAMES_SENT.inc()
                cursor = upto
            else:
                if after < upto:
                    yield await self.catch_up(after, upto)
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
                # A frame that does not start where this screen stands is rebuilt from the store.
                yield frame.data if frame.start == cursor else await self.catch_up(cursor, frame.end)
                cursor = frame.end
                if frame.made is not None:  # counted as sent by the framer; lag sampled (live/framer.py)
                    metrics.STREAM_LAG.observe(time.monotonic() - frame.made)
