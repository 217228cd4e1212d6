"""Frames: every tick, what was committed since the last frame, as one shared SSE event."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

from live import metrics
from live.figures import figure
from live.hub import Broadcast, Ended, Hub
from live.patches import Window, encode_event, frame_payload
from live.sse import ServerSentEvent
from live.store import Commit, Row, Store

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


# Sent to every stream when no frame went out for a heartbeat interval: one timer for the
# process, not one per stream per frame (asyncio.timeout around each stream's wait).
HEARTBEAT = Frame(0, 0, ServerSentEvent(comment="ping").encode())


def rows_after(commits: list[Commit], last: int) -> list[Row] | None:
    """Return the rows after `last` if the commits hold all of them in order, else None."""
    rows: list[Row] = []
    expected = last + 1
    for commit in sorted(commits, key=lambda c: c.first):
        if not commit.rows:
            return None  # a wake-up (a hub reconnected) or ids only: SQLite has the rows
        if commit.last < expected:
            continue  # already framed (a late duplicate from another worker)
        if commit.first != expected:
            return None
        rows.extend(commit.rows)
        expected = commit.last + 1
    return rows


class Framer:
    """Turns commits into at most `rate` frames a second, shared by every open stream."""

    def __init__(
        self,
        store: Store,
        hub: Hub,
        frames: Broadcast[Frame],
        *,
        rate: float,
        window: int,
        replay_max: int,
        heartbeat: float,
    ) -> None:
        self.store = store
        self.hub = hub
        self.frames = frames
        self.interval = 1.0 / rate
        self.heartbeat = heartbeat
        self.window = window
        self.replay_max = replay_max
        self.last = 0
        self._count = 0  # frames made
        self._published = 0.0  # loop time of the last frame or heartbeat
        self._windows: dict[str, Window] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Read where the database stands and start framing."""
        self.last = await self.store.last_id()
        self._windows = await self._windows_at(self.last)
        self._published = asyncio.get_running_loop().time()
        self._task = asyncio.create_task(self._run(), name="pulseboard-framer")

    async def stop(self) -> None:
        """Stop framing and end every stream."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.frames.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_frame = 0.0
        while True:
            async with self.hub.subscribe() as commits:
                try:
                    while True:
                        try:
                            async with asyncio.timeout_at(self._published + self.heartbeat):
                                first = await commits.get()
                        except TimeoutError:
                            self._publish(HEARTBEAT)
                            continue
                        # The first commit after a quiet spell goes out at once; after that
                        # at most one frame per interval, carrying everything since the last.
                        delay = next_frame - loop.time()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        next_frame = loop.time() + self.interval
                        await self._frame([first, *commits.take_all()])
                except Ended:
                    log.warning("framer fell behind the hub; filling the gap from SQLite")
            await self._frame([])

    async def _frame(self, commits: list[Commit]) -> None:
        rows = rows_after(commits, self.last) if commits else None
        if rows is None:  # a gap: missed or reordered messages; SQLite has the truth
            rows = await self.store.between(self.last, await self.store.last_id())
        if not rows:
            return
        payload = frame_payload(rows, self._windows, self.window)
        self._count += 1
        made = time.monotonic() if self._count % LAG_SAMPLE_FRAMES == 1 else None
        frame = Frame(self.last, rows[-1].id, encode_event("frame", rows[-1].id, payload), made)
        self.last = frame.end
        metrics.FRAMES_SENT.inc(self._publish(frame))

    def _publish(self, frame: Frame) -> int:
        self._published = asyncio.get_running_loop().time()
        return self.frames.publish(frame)

    async def catch_up(self, after: int, upto: int) -> bytes:
        """Return one event taking a screen whose graphs stand at `after` to `upto`."""
        if upto - after > self.replay_max:
            return await self.reset(upto)
        rows = await self.store.between(after, upto)
        windows = await self._windows_at(after)
        return encode_event("frame", upto, frame_payload(rows, windows, self.window))

    async def _windows_at(self, upto: int) -> dict[str, Window]:
        windows = await self.store.window(upto, self.window)
        return {series: Window(self.window, rows) for series, rows in windows.items()}

    async def reset(self, upto: int) -> bytes:
        """Return an event that replaces every graph with its window at `upto`."""
        windows = await self.store.window(upto, self.window)
        figures = {series: figure(series, rows) for series, rows in windows.items()}
        # The database id lets a screen that was on another database start over on this one.
        return encode_event("reset", upto, {"figures": figures, "db": self.store.database_id})

    async def can_resume(self, after: int, database_id: str) -> bool:
        """Tell whether a screen at `after` can be brought forward by replay, not reset."""
        if database_id != self.store.database_id or after > await self.store.last_id():
            return False
        return after >= await self.store.resume_floor()


def frame_json(data: bytes) -> dict:
    """Return the JSON payload of an encoded frame (for tests and tools)."""
    line = next(line for line in data.decode().split("\n") if line.startswith("data: "))
    return json.loads(line[len("data: ") :])
