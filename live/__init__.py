"""Pulseboard's live core, as a Quart extension: `live.init_app(server)`.

How a point travels::

    producer ─ POST /api/points ─▶ routes/ingest ─ live/points (validate, pure)
                                        │
                                        ▼
                                   live/store  one writer task, WAL, event id = rowid
                                        │ Commit (ids first..last, committed)
                                        ▼
                                   live/hub    in-process fan-out, or live/redis_hub for
                                        │      several workers (pub/sub; a wake-up only)
                                        │
                                        ▼
                                   live/frames at most FRAME_RATE frames/s; per graph one
                                        │      update (live/patches), serialised once
                                        ▼
                                   routes/stream  SSE, one per tab, bounded queue each;
                                        │         resume = replay from SQLite after Last-Event-ID
                                        ▼
                                   assets/pulseboard.js ─ the update as a Dash Patch ─ set_props
                                        ▼
                                   dcc.Graph(animate=True) drawn from live/figures

Page load: callbacks/graphs.py (async) reads each window from live/store at the framer's
last id, so the stream carries on from exactly there.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from quart import Quart, Response, current_app

from live import config as settings
from live.feed import run_feed
from live.frames import Framer
from live.hub import Hub, hub_from_url
from live.leader import LeaderLock
from live.points import Point
from live.store import Commit, Store
from live.streams import OpenStreams

log = logging.getLogger(__name__)
EXTENSION = "pulseboard"
WORKER_HEADER = "X-Pulseboard-Worker"
# How often a worker that does not lead checks whether the leader has gone.
LEADER_RETRY_SECONDS = 5.0


@dataclass
class Live:
    """The running parts, kept on the app: the store, the hub and the framer."""

    config: dict
    store: Store
    hub: Hub
    framer: Framer
    leader: LeaderLock
    streams: OpenStreams
    tasks: list[asyncio.Task] = field(default_factory=list)

    async def ingest(self, points: list[Point]) -> Commit:
        """Store the points, then hand them to the hub; return what was committed."""
        # shield: a producer hanging up after the commit must not keep the commit from the hub,
        # or screens would not see it until the next commit fills the gap from SQLite.
        return await asyncio.shield(self._store_and_publish(points))

    async def _store_and_publish(self, points: list[Point]) -> Commit:
        commit = await self.store.insert(points)
        await self.hub.publish(commit)
        return commit

    def accepted_range(self, now: float) -> tuple[float, float]:
        """Return the oldest and newest timestamp a point may carry."""
        return now - self.config["RETENTION_SECONDS"], now + self.config["MAX_FUTURE_SECONDS"]

    async def _keep_retention(self) -> None:
        while True:
            await asyncio.sleep(self.config["RETENTION_INTERVAL_SECONDS"])
            deleted = await self.store.purge(
                time.time() - self.config["RETENTION_SECONDS"], self.config["WINDOW_POINTS"]
            )
            if deleted:
                log.info("retention deleted %d points", deleted)

    async def _lead(self) -> None:
        # Workers share the database: one of them is enough to feed it and to purge it.
        while not self.leader.try_acquire():
            await asyncio.sleep(LEADER_RETRY_SECONDS)
        jobs = [self._keep_retention()]
        if self.config["FEED"]:
            jobs.append(run_feed(self.ingest, self.config["FEED_INTERVAL_SECONDS"]))
        await asyncio.gather(*jobs)

    async def start(self) -> None:
        """Open the database and start the framer; the leading worker also runs retention and the feed."""
        await self.store.open()
        await self.hub.open()
        await self.framer.start()
        self.streams.watch_signals()
        self.tasks.append(asyncio.create_task(self._lead(), name="pulseboard-leader"))
        tune_collector()

    async def stop(self) -> None:
        """End every stream, stop the tasks and close the database."""
        self.streams.unwatch_signals()
        await self.framer.stop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.leader.release()
        await self.hub.close()
        await self.store.close()


# Young objects the collector lets pile up before a pass; Python's default is 700.
YOUNG_OBJECTS = 50_000


def tune_collector() -> None:
    """Set Python's cyclic garbage collector up for a process that holds thousands of streams.

    Each open stream holds ~100 objects the collector tracks, and a full pass over 5,000
    streams stopped the process for 500-600 ms (BENCHMARKS.md, Fan-out). Python runs one
    whenever the objects promoted to the oldest generation reach a quarter of it. A frame's
    fan-out briefly makes a future and a callback per stream, so with the default threshold
    young passes ran mid-fan-out, promoted the waiting streams' futures, and a full pass came
    every ~12 s at one frame a second. With a higher threshold no pass runs in steady state;
    garbage without cycles goes at once anyway, by reference counting. And what exists at
    start-up (Dash, Plotly, Quart: ~75,000 objects) lives as long as the process: frozen, the
    full passes skip it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])


def configure(server: Quart, overrides: dict | None = None, environ: Mapping[str, str] = os.environ) -> dict:
    """Layer the settings (defaults, PULSEBOARD_* environment, overrides), check them, keep them on the app."""
    merged = dict(settings.DEFAULTS)
    for key in settings.DEFAULTS:
        if f"{settings.PREFIX}_{key}" in environ:
            text = environ[f"{settings.PREFIX}_{key}"]
            # Text settings stay text: a token "1234" or a path "2026" must not become a number.
            merged[key] = text if isinstance(settings.DEFAULTS[key], str) else _parse(text)
    merged.update(overrides or {})
    unknown = sorted(set(merged) - set(settings.DEFAULTS))
    if unknown:
        raise settings.ConfigError(f"unknown setting {unknown[0]!r}")
    settings.validate(merged)
    server.config.update({f"{settings.PREFIX}_{key}": value for key, value in merged.items()})
    # Quart sizes each request body against this as it arrives; 413 past it, on every route.
    server.config["MAX_CONTENT_LENGTH"] = merged["MAX_BODY_BYTES"]
    return merged


def _parse(text: str) -> object:
    # As Flask's from_prefixed_env: JSON where it parses ("4" is a number, "false" a bool), else text.
    try:
        return json.loads(text)
    except ValueError:
        return text


def init_app(server: Quart, overrides: dict | None = None) -> Live:
    """Create Pulseboard's parts on the app and tie them to its start-up and shut-down."""
    config = configure(server, overrides)
    store = Store(config["DATABASE"])
    hub = hub_from_url(config["HUB_URL"])
    streams = OpenStreams(config["STREAM_QUEUE_FRAMES"])
    framer = Framer(
        store,
        hub,
        streams,
        rate=config["FRAME_RATE"],
        window=config["WINDOW_POINTS"],
        replay_max=config["REPLAY_MAX_POINTS"],
        heartbeat=config["HEARTBEAT_SECONDS"],
    )
    live = Live(config, store, hub, framer, LeaderLock(config["DATABASE"]), streams)
    server.extensions[EXTENSION] = live
    server.after_request(_tag_worker)
    server.before_serving(live.start)
    server.after_serving(live.stop)
    return live


async def _tag_worker(response: Response) -> Response:
    # Which worker answered, for whoever debugs a load balancer (and for the tests of the spread).
    response.headers[WORKER_HEADER] = str(os.getpid())
    return response


def get_live() -> Live:
    """Return the running app's Live (inside a request, callback or app context)."""
    return current_app.extensions[EXTENSION]
