"""Scenarios in headless Chromium: ingest-to-screen latency, bytes per frame, and the page's own cost."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from benchmarks.load import percentile
from benchmarks.servers import Producer, Server
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS

# Values at or above this are sequence numbers of benchmark points (seeded values are below 100).
BASE = 1_000_000.0

# Every animation frame, note the wall-clock time (ms) at which each new sequence number is first in gd.data.
SEEN_JS = """() => {
    window.__seen = {};
    let newest = -1;
    const tick = () => {
        // The wall clock read now, as Python's time.time() reads it: timeOrigin + now() is pinned
        // to the wall clock once, when the page opened, and drifted 6 s from it in one run here.
        const now = Date.now();
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            const y = gd.data && gd.data[0] && gd.data[0].y;
            if (!y) continue;
            let top = newest;
            for (let i = y.length - 1; i >= 0 && y[i] > newest; i--) {
                if (y[i] >= BASE && !(y[i] in window.__seen)) window.__seen[y[i]] = now;
                if (y[i] > top) top = y[i];
            }
            newest = Math.max(newest, top);
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}""".replace("BASE", repr(BASE))


@dataclass
class LatencyResult:
    """Ingest-to-screen latency by minute, and the stream's bytes per frame."""

    minutes: float
    points: int
    seen: int
    p50: float
    p95: float
    p99: float
    by_minute: list[tuple[float, float]] = field(default_factory=list)  # (p50, p95) per minute
    frame_bytes: float = float("nan")

    @property
    def first_last_p95(self) -> tuple[float, float]:
        return self.by_minute[0][1], self.by_minute[-1][1]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Run one headless Chromium for the block."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def open_page(browser: Browser, url: str, graphs: int) -> AsyncIterator[Page]:
    """Open the app in a fresh browser context and wait until its graphs are drawn."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    try:
        page = await context.new_page()
        await page.goto(url)
        await page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {graphs}", timeout=120_000
        )
        yield page
    finally:
        await context.close()


async def latency(
    server: Server, browser: Browser, minutes: float, rate: float = 10.0, settle: float = 2.0
) -> LatencyResult:
    """Push `rate` points/s, each value a sequence number, and time each from just before its send to gd.data."""
    frames: list[int] = []
    sent_at: dict[float, float] = {}
    async with open_page(browser, server.url, len(server.series)) as page:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.enable")
        # The stream's messages as the browser received them, rebuilt as sent (less chunk framing).
        cdp.on(
            "Network.eventSourceMessageReceived",
            lambda e: frames.append(
                len(f"id: {e['eventId']}\nevent: {e['eventName']}\ndata: {e['data']}\n\n".encode())
            ),
        )
        await asyncio.sleep(settle)
        await page.evaluate(SEEN_JS)
        producer = Producer(server)
        start_time = time.time()

        def point(i: int) -> list[tuple[str, float]]:
            sent_at[BASE + i] = time.time()
            return [(server.series[0], BASE + i)]

        await producer.run(point, rate, minutes * 60)
        await asyncio.sleep(1.5 * settle)  # the last points' frames and animations
        seen: dict[str, float] = await page.evaluate("() => window.__seen")
        await producer.close()
    latencies: list[tuple[float, float]] = []  # (seconds since start at send, latency ms)
    for value, at in sent_at.items():
        key = str(int(value)) if value.is_integer() else str(value)
        if key in seen:
            latencies.append((at - start_time, seen[key] - at * 1000))
    by_minute = []
    for m in range(max(1, round(minutes))):
        values = [ms for t, ms in latencies if m * 60 <= t < (m + 1) * 60]
        if values:
            by_minute.append((percentile(values, 50), percentile(values, 95)))
    values = [ms for _, ms in latencies]
    return LatencyResult(
        minutes,
        len(sent_at),
        len(latencies),
        percentile(values, 50),
        percentile(values, 95),
        percentile(values, 99),
        by_minute,
        sum(frames) / len(frames) if frames else float("nan"),
    )


@dataclass
class CostResult:
    """The page's main-thread busy time and JS heap over a soak with four animated graphs."""

    minutes: float
    busy_ms_per_s: float
    script_ms_per_s: float
    heap_start_mb: float
    heap_end_mb: float
    heap_by_minute: list[float]

    @property
    def heap_growth(self) -> float:
        return self.heap_end_mb / self.heap_start_mb - 1


async def _metrics(cdp: Any) -> dict[str, float]:
    result = await cdp.send("Performance.getMetrics")
    return {m["name"]: m["value"] for m in result["metrics"]}


async def _heap_mb(cdp: Any) -> float:
    await cdp.send("HeapProfiler.collectGarbage")
    return (await _metrics(cdp))["JSHeapUsedSize"] / 2**20


async def browser_cost(server: Server, browser: Browser, minutes: float, warmup: float = 30.0) -> CostResult:
    """Feed four 1,000-point graphs at 4 points/s each; measure busy time and heap after GC from warm-up to end."""
    series = server.series
    async with open_page(browser, server.url, len(series)) as page:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
        await cdp.send("HeapProfiler.enable")
        producer = Producer(server)

        def points(i: int) -> list[tuple[str, float]]:
            return [(name, float((i * 7 + k * 13) % 100)) for k, name in enumerate(series)]

        feeding = asyncio.create_task(producer.run(points, 4.0, warmup + minutes * 60 + 5))
        await asyncio.sleep(warmup)
        heap_start = await _heap_mb(cdp)
        before = await _metrics(cdp)
        t0 = time.monotonic()
        heaps = []
        samples = max(1, math.ceil(minutes))  # about one heap reading a minute
        for _ in range(samples):
            await asyncio.sleep(minutes * 60 / samples)
            heaps.append(await _heap_mb(cdp))
        after = await _metrics(cdp)
        elapsed = time.monotonic() - t0
        feeding.cancel()
        await asyncio.gather(feeding, return_exceptions=True)
        await producer.close()
    return CostResult(
        minutes,
        (after["TaskDuration"] - before["TaskDuration"]) / elapsed * 1000,
        (after["ScriptDuration"] - before["ScriptDuration"]) / elapsed * 1000,
        heap_start,
        heaps[-1],
        heaps,
    )
