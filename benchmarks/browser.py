"""Scenarios in headless Chromium: ingest-to-screen latency, bytes per frame, and the page's own cost."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright

from benchmarks.load import percentile, start
from benchmarks.servers import Producer, Target
from tests.servers import CHROMIUM, CHROMIUM_ARGS

# Values at or above this are sequence numbers of benchmark points (seeded values are below 100).
BASE = 1_000_000.0

# Every animation frame, note the wall-clock time at which each new sequence number is first in gd.data.
SEEN_JS = """() => {
    window.__seen = {};
    let newest = -1;
    const tick = () => {
        const now = performance.timeOrigin + performance.now();
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


async def open_page(playwright: Any, url: str, graphs: int) -> tuple[Any, Page]:
    """Open the app in headless Chromium and wait until its graphs are drawn."""
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    page = await browser.new_page(viewport={"width": 1280, "height": 1400})
    await page.goto(url)
    await page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {graphs}", timeout=60_000
    )
    return browser, page


async def latency(
    target: Target, tmp: Path, minutes: float, rate: float = 10.0, update_rate: float = 4.0
) -> LatencyResult:
    """Push `rate` points/s, each value a sequence number, and time each from just before its send to gd.data."""
    server = start(target, tmp, rate=update_rate)
    frames: list[int] = []
    try:
        async with async_playwright() as playwright:
            browser, page = await open_page(playwright, server.url, 1)
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Network.enable")
            # The stream's messages as the browser received them; rebuilt as on the wire (less chunk framing).
            cdp.on(
                "Network.eventSourceMessageReceived",
                lambda e: frames.append(
                    len(f"id: {e['eventId']}\nevent: {e['eventName']}\ndata: {e['data']}\n\n".encode())
                ),
            )
            await asyncio.sleep(2.0)
            await page.evaluate(SEEN_JS)
            producer = Producer(server)
            sent_at: dict[float, float] = {}
            start_time = time.time()

            def point(i: int) -> list[tuple[str, float]]:
                sent_at[BASE + i] = time.time()
                return [("bench.0", BASE + i)]

            await producer.run(point, rate, minutes * 60)
            await asyncio.sleep(3.0)
            seen: dict[str, float] = await page.evaluate("() => window.__seen")
            await producer.close()
            await browser.close()
    finally:
        server.stop()
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


async def browser_cost(target: Target, tmp: Path, minutes: float, warmup: float = 30.0) -> CostResult:
    """Feed four 1,000-point graphs at 4 points/s each; measure busy time and heap after GC from warm-up to end."""
    series = [f"bench.{i}" for i in range(4)]
    server = start(target, tmp, rate=4.0, series=series)
    try:
        async with async_playwright() as playwright:
            browser, page = await open_page(playwright, server.url, 4)
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
            for _ in range(max(1, round(minutes))):
                await asyncio.sleep(min(60.0, minutes * 60))
                heaps.append(await _heap_mb(cdp))
            after = await _metrics(cdp)
            elapsed = time.monotonic() - t0
            await feeding
            await producer.close()
            await browser.close()
    finally:
        server.stop()
    return CostResult(
        minutes,
        (after["TaskDuration"] - before["TaskDuration"]) / elapsed * 1000,
        (after["ScriptDuration"] - before["ScriptDuration"]) / elapsed * 1000,
        heap_start,
        heaps[-1],
        heaps,
    )
