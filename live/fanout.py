"""Fan-out: a publisher hands items to every subscriber without ever waiting on one (pure asyncio)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Ended(Exception):
    """The subscription is over: `reason` is 'overflow' (it fell behind) or 'closed'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Subscription(Generic[T]):
    """One subscriber's bounded queue; `async with` it to be subscribed for the block.

    Policy when full (`limit` items queued, or an item that would take the queued bytes past
    `max_bytes`; an item offered to an empty queue is always taken): the subscription ends with
    reason 'overflow', takes nothing more, and its broadcast is told (`Broadcast.overflowed`).
    A stream then closes and its browser resumes from the store with Last-Event-ID, so a slow
    reader costs the server at most `limit` items and `max_bytes` and never slows the publisher.
    """

    # Slots, a list and one future made only while waiting, and no context-manager objects
    # of contextlib: thousands of streams each hold one (tracemalloc: ~3 KB less per stream).
    __slots__ = ("_broadcast", "_bytes", "_items", "_waiter", "abort", "ended", "task")

    def __init__(self, broadcast: Broadcast[T], abort: Callable[[], None] | None = None) -> None:
        self._broadcast = broadcast
        self._items: list[T] = []
        self._bytes = 0
        self._waiter: asyncio.Future[None] | None = None
        self.ended: str | None = None
        self.task: asyncio.Task | None = None  # the task that subscribed, to cut it
        self.abort = abort  # drops the subscriber's connection at once, when it is cut (if it has one)

    async def __aenter__(self) -> Subscription[T]:
        self.task = asyncio.current_task()
        self._broadcast.add(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._broadcast.remove(self)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def offer(self, item: T) -> None:
        """Queue an item, or end the subscription if it is full."""
        if self.ended:
            return
        broadcast = self._broadcast
        size = broadcast.size(item)
        full = len(self._items) >= broadcast.limit or 0 < broadcast.max_bytes < self._bytes + size
        if full and self._items:
            self.end("overflow")
            broadcast.overflowed(self)
            return
        self._items.append(item)
        self._bytes += size
        self._wake()

    def end(self, reason: str = "closed") -> None:
        """End the subscription; what is queued can still be taken."""
        if not self.ended:
            self.ended = reason
            self._wake()

    async def get(self) -> T:
        """Return the next item, waiting for one; raise Ended once drained and ended."""
        while not self._items:
            if self.ended:
                raise Ended(self.ended)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.pop(0)
        self._bytes -= self._broadcast.size(item)
        return item

    def take_all(self) -> list[T]:
        """Return every queued item at once, without waiting."""
        items, self._items, self._bytes = self._items, [], 0
        return items


def no_size(item: object) -> int:
    """Count no bytes: a broadcast bounded by its number of items only."""
    return 0


class Broadcast(Generic[T]):
    """In-process fan-out to bounded subscriptions: `limit` items, and `max_bytes` (0: none) as `size` counts them."""

    def __init__(self, limit: int, max_bytes: int = 0, size: Callable[[T], int] = no_size) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.size = size
        self.closed = False
        self._subscriptions: set[Subscription[T]] = set()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def __iter__(self) -> Iterator[Subscription[T]]:
        return iter(list(self._subscriptions))

    def publish(self, item: T) -> int:
        """Offer the item to every subscriber, never waiting on one; return how many were offered it."""
        for subscription in self._subscriptions:
            subscription.offer(item)
        return len(self._subscriptions)

    def subscribe(self, abort: Callable[[], None] | None = None) -> Subscription[T]:
        """Return a new subscription, subscribed while its `async with` block runs.

        `abort`, if given, drops the subscriber's connection: called instead of cancelling its task
        when it is cut (live/open_streams.py).
        """
        return Subscription(self, abort)

    def add(self, subscription: Subscription[T]) -> None:
        """Subscribe it (already ended once closed: shutting down, a stream opened now ends at once)."""
        if self.closed:
            subscription.end("closed")
        self._subscriptions.add(subscription)

    def remove(self, subscription: Subscription[T]) -> None:
        """Unsubscribe it."""
        self._subscriptions.discard(subscription)

    def overflowed(self, subscription: Subscription[T]) -> None:
        """Hear that a subscription fell `limit` items or `max_bytes` behind and ended (here: nothing more to do)."""

    def close(self) -> None:
        """End every subscription, and any made later: streams finish and browsers reconnect elsewhere."""
        self.closed = True
        for subscription in list(self._subscriptions):
            subscription.end("closed")
