"""The built-in feed: host CPU, memory and network, so a fresh install has live charts."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

from live.model import Point

log = logging.getLogger(__name__)


class HostSampler:
    """Reads host figures with psutil; network as KiB/s since the previous reading."""

    def __init__(self) -> None:
        import psutil  # deferred: only the feed needs it

        self._psutil = psutil
        self._last_net = psutil.net_io_counters()
        self._last_time = time.monotonic()
        psutil.cpu_percent(None)  # the first call only sets the baseline

    def sample(self, now: float) -> list[Point]:
        """Return one point per host series."""
        psutil = self._psutil
        net, clock = psutil.net_io_counters(), time.monotonic()
        elapsed = max(clock - self._last_time, 1e-6)
        points = [
            Point("host.cpu_percent", now, psutil.cpu_percent(None)),
            Point("host.memory_percent", now, psutil.virtual_memory().percent),
            Point("host.net_recv_kib_s", now, (net.bytes_recv - self._last_net.bytes_recv) / 1024 / elapsed),
            Point("host.net_sent_kib_s", now, (net.bytes_sent - self._last_net.bytes_sent) / 1024 / elapsed),
        ]
        self._last_net, self._last_time = net, clock
        return points


class SyntheticSampler:
    """A sine wave with a little drift, for hosts where psutil cannot read."""

    def sample(self, now: float) -> list[Point]:
        """Return one point of the demo signal."""
        return [Point("demo.sine", now, round(50 + 40 * math.sin(now / 10) + 5 * math.sin(now * 1.3), 3))]


def make_sampler() -> HostSampler | SyntheticSampler:
    """Return the host sampler, or the synthetic one where psutil is missing or fails."""
    try:
        return HostSampler()
    except (ImportError, OSError, RuntimeError) as error:
        log.warning("host metrics unavailable (%s); the feed sends a synthetic signal", error)
        return SyntheticSampler()


async def run_feed(ingest: Callable[[list[Point]], Awaitable[object]], interval: float) -> None:
    """Sample and ingest forever, one batch every `interval` seconds."""
    sampler = make_sampler()
    loop = asyncio.get_running_loop()
    next_tick = loop.time()
    while True:
        next_tick += interval
        await ingest(sampler.sample(time.time()))
        await asyncio.sleep(max(0.0, next_tick - loop.time()))
