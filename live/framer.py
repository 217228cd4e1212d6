"""Frames: every tick, what was committed since the last frame, as one event shared by every screen."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from live import metrics
from live.fanout import Broadcast, Ended, Subscription
from live.figures import x_value
from live.hubs import Hub
from live.model import Commit, Row
from live.sse import ServerSentEvent
from live.store import Store
from live.updates import encode_event, frame_payload
from live.window import Window

if TYPE_CHECKING:
    from live.dashboards.audience import AutoAudience, Selection

log = logging.getLogger(__name__)

# One frame in this many carries the time it was made, and every stream writing it observes
# the stream-lag metric: a histogram observation per stream per frame was ~7% of the server's
# time with thousands of streams (py-spy).
LAG_SAMPLE_FRAMES = 8


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything committed with start < id <= end, encoded once for every viewer."""

    start: int
    end: int
    data: bytes
    made: float | None = None  # monotonic time it was built, on sampled frames only
    payload: Mapping[str, Any] | None = None  # what `data` encodes, for dashboards to select from
    windows: Mapping[str, Window] | None = None  # every key's window: its series name and labels
    at: float = 0.0  # wall-clock time it was built: a dashboard's clock (stale panels, moving axes)
    _selected: dict[Selection | AutoAudience, bytes | None] = field(default_factory=dict, compare=False, repr=False)

    def for_audience(self, audience: Selection | AutoAudience) -> bytes | None:
        """Return this frame as one dashboard's screens are sent it, or None when it has nothing for them.

        Encoded once per dashboard, by the first of its screens to need it; the others reuse it.
        """
        if audience not in self._selected:
            selected = audience.select(self.payload or {"updates": {}}, self.windows or {})
            if selected is None:
                self._selected[audience] = None
            elif selected is self.payload:  # nothing cut: the bytes every screen of everything gets
                self._selected[audience] = self.data
            else:
                self._selected[audience] = encode_event("frame", self.end, {**selected, "now": x_value(self.at)})
        return self._selected[audience]


def frame_bytes(frame: Frame) -> int:
    """Return what a frame costs a stream that queues it: its encoded size (shared, but each stream must write it)."""
    return len(frame.data)


# Sent to every stream when no frame went out for a heartbeat interval: one timer for the
# process, not one per stream per frame (asyncio.timeout around each stream's wait).
HEARTBEAT = Frame(0, 0, ServerSentEvent(comment="ping").encode())
# Published when the dashboards file changed (live/dashboards/watch.py): every stream tells
# its screen, and a dashboard's stream starts over with the dashboard's new selection.
DASHBOARDS_CHANGED = Frame(0, 0, b"")


def rows_after(commits: list[Commit], last: int) -> list[Row] | None:
    """Return the rows after `last` if the commits hold all of them in order, else None."""
    rows: list[Row] = []
    expected = last + 1
    for commit in sorted(commits, key=lambda c: c.first):
        if not commit.rows:
            return None  # a wake-up (a hub reconnected) or ids only: the store has the rows
        if commit.last < expected:
            continue  # already framed (a late duplicate from another worker)
        if commit.first != expected:
            return None
        rows.extend(commit.rows)
        expected = commit.last + 1
    return rows


async def load_windows(store: Store, upto: int, size: int, keys: Collection[str] | None = None) -> dict[str, Window]:
    """Return each series' window (of `keys`, else every one) as of event id `upto`, read from the store."""
    windows = await store.windows(upto, size, keys)
    return {key: Window(rows[0].series, rows[0].labels, size, rows) for key, rows in windows.items() if rows}


class Framer:
    """Turns commits into at most `rate` frames a second, shared by every open stream.

    `run` is supervised (live/supervisor.py): if a frame fails, nothing of it was sent, and
    the next run rebuilds the windows as of the last frame that went out and frames again
    from there, so screens see no gap.
    """

    def __init__(
        self, store: Store, hub: Hub, frames: Broadcast[Frame], *, rate: float, window: int, heartbeat: float
    ) -> None:
        self.store = store
        self.hub = hub
        self.frames = frames
        self.interval = 1.0 / rate
        self.heartbeat = heartbeat
        self.window = window
        self.last = 0
        self._count = 0  # frames made
        self._published = 0.0  # loop time of the last frame or heartbeat
        self._windows: dict[str, Window] = {}

    @property
    def windows(self) -> Mapping[str, Window]:
        """Return every series' window as of the last frame (for gauges; do not change them)."""
        return self._windows

    async def start(self) -> None:
        """Read where the store stands, before anything is served."""
        self.last = await self.store.last_id()
        self._published = asyncio.get_running_loop().time()

    async def run(self) -> None:
        """Frame commits until cancelled; resubscribe when the hub's subscription ends."""
        while True:
            async with self.hub.subscribe() as commits:
                # Subscribed first, then read: every commit after what the store shows is queued.
                self._windows = await load_windows(self.store, self.last, self.window)
                await self._frame([])
                try:
                    await self._follow(commits)
                except Ended as ended:
                    if ended.reason == "closed":
                        return  # the hub is shutting down
                    log.warning("framer fell behind the hub; filling the gap from the store")

    async def _follow(self, commits: Subscription[Commit]) -> None:
        loop = asyncio.get_running_loop()
        next_frame = 0.0
        while True:
            try:
                async with asyncio.timeout_at(self._published + self.heartbeat):
                    first = await commits.get()
            except TimeoutError:
                self._publish(HEARTBEAT)
                continue
            # The first commit after a quiet spell goes out at once; after that at most one
            # frame per interval, carrying everything since the last.
            delay = next_frame - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            next_frame = loop.time() + self.interval
            await self._frame([first, *commits.take_all()])

    async def _frame(self, commits: list[Commit]) -> None:
        rows = rows_after(commits, self.last) if commits else None
        if rows is None:  # a gap: missed or reordered messages; the store has the truth
            rows = await self.store.between(self.last, await self.store.last_id())
        if not rows:
            return
        payload = frame_payload(rows, self._windows, self.window)
        self._count += 1
        made = time.monotonic() if self._count % LAG_SAMPLE_FRAMES == 1 else None
        data = encode_event("frame", rows[-1].id, payload)
        frame = Frame(self.last, rows[-1].id, data, made, payload, self._windows, time.time())
        self.last = frame.end
        metrics.FRAMES_SENT.inc(self._publish(frame))

    def _publish(self, frame: Frame) -> int:
        self._published = asyncio.get_running_loop().time()
        return self.frames.publish(frame)
