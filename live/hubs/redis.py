"""The Redis hub: commits from any worker or host reach every process's framer, by pub/sub."""

from __future__ import annotations

import asyncio
import json
import logging

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from live import metrics
from live.fanout import Broadcast, Subscription
from live.model import WAKE, Commit, Row

log = logging.getLogger(__name__)

CHANNEL = "pulseboard:commits"
# Bigger commits travel as their ids only; the framer reads their rows from the store.
INLINE_ROWS = 2000
RECONNECT_MAX_SECONDS = 2.0
IDLE_PING_SECONDS = 15.0


def encode_commit(commit: Commit) -> bytes:
    """Serialise a commit compactly: [first, last, [[series, labels, ts, value], ...] or null]."""
    rows = (
        [[row.series, row.labels, row.ts, row.value] for row in commit.rows]
        if len(commit.rows) <= INLINE_ROWS
        else None
    )
    return json.dumps([commit.first, commit.last, rows], separators=(",", ":"), ensure_ascii=False).encode()


def decode_commit(data: bytes) -> Commit:
    """Rebuild a commit; ids are contiguous, so each row's id follows from `first`."""
    first, last, rows = json.loads(data)
    if rows is None:
        return Commit(first, last, ())
    return Commit(
        first,
        last,
        tuple(Row(first + i, series, labels, ts, value) for i, (series, labels, ts, value) in enumerate(rows)),
    )


class RedisHub:
    """Publishes commits to a Redis channel and hands what arrives on it to local subscribers.

    Redis pub/sub is fire-and-forget: a message published while a worker is cut off is gone.
    Nothing is lost all the same, because the framer treats the hub as a wake-up with gap
    detection, and every (re)subscription hands it a WAKE, which makes it read the store.
    """

    def __init__(self, url: str, limit: int = 4096, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self.connected = asyncio.Event()
        self._broadcast: Broadcast[Commit] = Broadcast(limit)
        # One immediate retry: a pooled connection left over from before a Redis restart fails
        # once and is replaced; an outage fails fast instead of stalling ingest for seconds.
        self._redis = redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 1))

    async def open(self) -> None:
        """Nothing to do before `run`: connections are made as they are needed."""

    async def close(self) -> None:
        """End every subscription and drop the connections (cancel `run` first)."""
        self._broadcast.close()
        await self._redis.aclose()

    async def ping(self) -> None:
        """Raise unless Redis answers and this hub is subscribed."""
        await self._redis.ping()
        if not self.connected.is_set():
            raise ConnectionError(f"not subscribed to {self.channel!r} yet")

    async def publish(self, commit: Commit) -> None:
        """Send the commit to every process; if Redis is away, to this process only."""
        try:
            await self._redis.publish(self.channel, encode_commit(commit))
        except (RedisError, OSError) as error:
            # The commit is in the store: other workers catch up when their hub reconnects.
            metrics.HUB_ERRORS.labels("publish").inc()
            log.warning("redis publish failed (%s); delivering to this worker only", error)
            self._broadcast.publish(commit)

    def subscribe(self) -> Subscription[Commit]:
        """Return a new subscription, for `async with`."""
        return self._broadcast.subscribe()

    async def run(self) -> None:
        """Listen to the other processes' commits until cancelled, resubscribing after every loss."""
        failures = 0
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as error:
                self.connected.clear()
                metrics.HUB_ERRORS.labels("subscribe").inc()
                failures += 1
                delay = min(RECONNECT_MAX_SECONDS, 0.05 * 2**failures)
                log.warning("redis subscription lost (%s); retrying in %.2f s", error, delay)
                await asyncio.sleep(delay)
            else:
                failures = 0

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self.channel)
            self.connected.set()
            # Whatever was published while we were not subscribed is in the store: look there now.
            self._broadcast.publish(WAKE)
            pinged = False
            while True:
                message = await pubsub.get_message(timeout=IDLE_PING_SECONDS)
                if message is None:
                    # A quiet channel or a peer gone without a word (no FIN): a ping tells which.
                    if pinged:
                        raise ConnectionError(f"redis did not answer a ping in {IDLE_PING_SECONDS} s")
                    await pubsub.ping()
                    pinged = True
                    continue
                pinged = False
                if message["type"] == "message":
                    self._broadcast.publish(decode_commit(message["data"]))
