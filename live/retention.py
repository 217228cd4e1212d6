"""Retention: points older than the retention period go, each series keeping its window."""

from __future__ import annotations

import asyncio
import logging
import time

from live.store import Store

log = logging.getLogger(__name__)


async def keep_retention(store: Store, *, retention_seconds: float, interval: float, keep: int) -> None:
    """Purge old points every `interval` seconds, forever."""
    while True:
        await asyncio.sleep(interval)
        deleted = await store.purge(time.time() - retention_seconds, keep)
        if deleted:
            log.info("retention deleted %d points", deleted)
