"""The in-process hub: commits from this process reach this process's framer."""

from __future__ import annotations

from live.fanout import Broadcast, Subscription
from live.model import Commit


class MemoryHub:
    """Fan-out of commits inside one process; nothing to connect to, nothing to lose."""

    def __init__(self, limit: int = 4096) -> None:
        self._broadcast: Broadcast[Commit] = Broadcast(limit)

    async def open(self) -> None:
        """Nothing to connect to."""

    async def run(self) -> None:
        """Nothing to listen to: every commit is published in this process."""

    async def close(self) -> None:
        """End every subscription."""
        self._broadcast.close()

    async def ping(self) -> None:
        """Always answers: it lives in this process."""

    async def publish(self, commit: Commit) -> None:
        """Hand the commit to every subscriber."""
        self._broadcast.publish(commit)

    def subscribe(self) -> Subscription[Commit]:
        """Return a new subscription, for `async with`."""
        return self._broadcast.subscribe()
