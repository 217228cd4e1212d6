"""Hubs: how a commit reaches every process's framer, the backend chosen by a URL.

memory:// keeps commits inside this process; redis://, rediss:// and unix:// carry them to
every worker and host through Redis pub/sub. redis is imported only when a URL asks for it.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from live.fanout import Subscription
from live.hubs.memory import MemoryHub
from live.model import Commit

REDIS_SCHEMES = ("redis", "rediss", "unix")


class Hub(Protocol):
    """What the framer and ingest need of a hub, whichever backend carries it."""

    async def open(self) -> None: ...
    async def run(self) -> None: ...  # listen for other processes' commits until cancelled
    async def close(self) -> None: ...
    async def ping(self) -> None: ...
    async def publish(self, commit: Commit) -> None: ...
    def subscribe(self) -> Subscription[Commit]: ...


def hub_from_url(url: str, limit: int = 4096) -> Hub:
    """Return the hub a URL names: memory:// (this process) or redis://host:port/db (every worker)."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryHub(limit)
    if scheme in REDIS_SCHEMES:
        from live.hubs.redis import RedisHub  # deferred: only several-worker set-ups need redis

        return RedisHub(url, limit)
    raise ValueError(f"hub URL must start memory://, redis://, rediss:// or unix://, got {url!r}")
