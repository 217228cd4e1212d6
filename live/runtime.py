"""The running parts of one Pulseboard, kept on the app: `get_live()` inside a request or callback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quart import current_app, has_request_context, request

from live import metrics
from live.dashboards.current import Dashboards
from live.dashboards.watch import watch_dashboards
from live.feed import run_feed
from live.framer import DASHBOARDS_CHANGED, Framer
from live.hubs import Hub
from live.leader import Leader, lead
from live.model import Commit, Idempotency, InvalidInput, Point
from live.open_streams import OpenStreams
from live.retention import keep_retention
from live.screens import Screens
from live.store import Store
from live.supervisor import Supervisor
from live.validation import validate_groups, validate_points

EXTENSION = "pulseboard"
# Every Pulseboard on the app, by the prefix of its routes (several may share one app).
INSTANCES = "pulseboard.instances"
# How often a worker that does not lead checks whether the leader has gone.
LEADER_RETRY_SECONDS = 5.0


@dataclass
class Live:
    """The store, the hub, the framer, the open streams, the dashboards and the background tasks of one app."""

    config: dict[str, Any]
    store: Store
    hub: Hub
    framer: Framer
    screens: Screens
    streams: OpenStreams
    leader: Leader
    supervisor: Supervisor
    dashboards: Dashboards
    prefix: str = ""  # where its routes are, as Quart matches them ("" for the whole app)

    async def ingest(
        self, items: Sequence[Mapping[str, Any] | Point], *, idempotency: Idempotency | None = None
    ) -> Commit:
        """Validate the points as every entry path does, store them in one transaction, and fan them out.

        Raises InvalidInput (nothing stored) for the first bad point, StorageError if the store failed.
        With `idempotency`, a batch whose key was stored before is answered with its first commit's
        ids (`replayed`) and not stored again; a key reused for another batch is an InvalidInput.
        """
        now = time.time()
        oldest, newest = self.accepted_range(now)
        points = validate_points(items, now=now, oldest=oldest, newest=newest, **self.limits())
        return await self.store_points(points, idempotency)

    async def ingest_each(
        self, groups: Sequence[Sequence[Mapping[str, Any]]]
    ) -> tuple[Commit | None, dict[int, InvalidInput]]:
        """Store every group that is valid whole in one transaction; return the commit and why the others were refused.

        For protocols that may acknowledge part of a request (OTLP's partial success): what is
        acknowledged is stored whole. Commit is None when nothing was stored.
        """
        now = time.time()
        oldest, newest = self.accepted_range(now)
        points, refused = validate_groups(groups, now=now, oldest=oldest, newest=newest, **self.limits())
        return (await self.store_points(points) if points else None), refused

    async def push(
        self, series: str, value: object, *, ts: object = None, labels: Mapping[str, str] | None = None
    ) -> Commit:
        """Store one point from Python code (numpy numbers, Decimal and datetime are welcome)."""
        item: dict[str, Any] = {"series": series, "value": value}
        if ts is not None:
            item["ts"] = ts
        if labels:
            item["labels"] = labels
        return await self.ingest([item])

    async def store_points(self, points: list[Point], idempotency: Idempotency | None = None) -> Commit:
        """Store points already validated, then hand them to the hub; return what was committed.

        A producer that hangs up (its task cancelled) before the writer begins its batch leaves
        nothing stored; after that, the batch is stored and fanned out all the same.
        """
        # shield: a producer hanging up after the commit must not keep the commit from the hub,
        # or screens would not see it until the next commit fills the gap from the store.
        producer = asyncio.current_task()
        return await asyncio.shield(self._store_and_publish(points, producer, idempotency))

    async def _store_and_publish(
        self, points: list[Point], producer: asyncio.Task[Any] | None, idempotency: Idempotency | None
    ) -> Commit:
        commit = await self.store.insert(points, producer=producer, idempotency=idempotency)
        if not commit.replayed:  # a retry: its points were fanned out when first stored
            await self.hub.publish(commit)
        return commit

    def count_stale(self) -> None:
        """Set the stale-series gauge of every dashboard, from the framer's windows (at scrape time)."""
        now = time.time()
        for name in self.dashboards.names:
            audience = self.dashboards.audience(name)
            if audience is not None:
                metrics.STALE_SERIES.labels(name).set(audience.stale(self.framer.windows, now))

    def covers(self, rule: str) -> bool:
        """Tell whether a route (as Quart matched it) is one of this Pulseboard's."""
        return not self.prefix or rule == self.prefix or rule.startswith(self.prefix + "/")

    def limits(self) -> dict[str, int]:
        """Return the size limits validation applies to a batch."""
        return {"max_points": self.config["MAX_BATCH_POINTS"], "max_label_bytes": self.config["MAX_LABEL_BYTES"]}

    def accepted_range(self, now: float) -> tuple[float, float]:
        """Return the oldest and newest timestamp a point may carry."""
        return now - self.config["RETENTION_SECONDS"], now + self.config["MAX_FUTURE_SECONDS"]

    async def start(self) -> None:
        """Open the store and the hub, then start the supervised background tasks."""
        await self.store.open()
        await self.hub.open()
        await self.framer.start()
        self.supervisor.start("framer", self.framer.run)
        self.supervisor.start("hub", self.hub.run)
        self.supervisor.start("retention", self._retention)
        if self.config["FEED"]:
            self.supervisor.start("feed", self._feed)
        self.supervisor.start("dashboards", self._watch_dashboards)

    async def stop(self) -> None:
        """End every stream, stop the tasks and close the hub and the store."""
        await self.supervisor.stop()
        self.streams.close()
        self.leader.release()
        await self.hub.close()
        await self.store.close()

    async def _retention(self) -> None:
        # Workers share the database: one of them is enough to feed it and to purge it.
        await lead(self.leader, self._keep_retention, LEADER_RETRY_SECONDS)

    async def _keep_retention(self) -> None:
        await keep_retention(
            self.store,
            retention_seconds=self.config["RETENTION_SECONDS"],
            interval=self.config["RETENTION_INTERVAL_SECONDS"],
            keep=self.config["WINDOW_POINTS"],
        )

    async def _watch_dashboards(self) -> None:
        await watch_dashboards(self.dashboards, lambda: self.streams.publish(DASHBOARDS_CHANGED))

    async def _feed(self) -> None:
        interval = self.config["FEED_INTERVAL_SECONDS"]
        await lead(self.leader, lambda: run_feed(self.store_points, interval), LEADER_RETRY_SECONDS)


def get_live() -> Live:
    """Return the Live whose routes answer this request (the longest prefix wins), else the app's first."""
    instances: list[Live] = current_app.extensions.get(INSTANCES, [])
    if len(instances) > 1 and has_request_context() and request.url_rule is not None:
        rule = request.url_rule.rule
        under = [live for live in instances if live.covers(rule)]
        if under:
            return max(under, key=lambda live: len(live.prefix))
    return current_app.extensions[EXTENSION]
