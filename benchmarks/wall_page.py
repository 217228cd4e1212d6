"""What the wall and soak benchmarks share: the dashboards file, a feeder, the page's watcher of points, CDP readings.

A point is known in the page by its series and its time: each series' points are at least 100 ms
apart, and its x in gd.data is its timestamp in ms (live/figures.py x_value), so (series, x) names
it, and only the newest x of each series is kept in the page however long it runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load import percentile
from benchmarks.servers import Producer

VIEWPORT = {"width": 1920, "height": 1080}
Key = tuple[int, int]  # (series index, x in ms)

# Every animation frame, for each graph on screen (checkVisibility: a playlist's hidden dashboards
# do not count) and each trace in it (its series by its meta, the series key, or its name), note
# Date.now() (the clock Python's time.time() reads) when a point newer than its series' newest is
# first in gd.data, and when it first is there with the graph not in a Plotly transition
# (gd._transitioning: set by Plotly.animate until its transition ends), i.e. drawn. Points before
# `since` (the seeded windows) are not noted. The watcher's own time is summed, to be told apart
# from the page's, and the graphs' Plotly calls are counted (dcc.Graph calls the global Plotly).
WATCH_JS = """([names, since]) => {
    const index = new Map(names.map((name, i) => [name, i]));
    const w = window.__wall = {data: [], drawn: [], arrived: [], ms: 0, ticks: 0, calls: {},
        newest: new Float64Array(names.length).fill(since), settled: new Float64Array(names.length).fill(since),
        heard: new Float64Array(names.length).fill(since)};
    // When each point's frame reached the page (the event's own time stamp, on Date.now()'s clock):
    // the part of the latency before the page's work. Pulseboard's pages only.
    const source = window.pulseboard && window.pulseboard.source;
    if (source) {
        source.addEventListener('frame', (event) => {
            const at = Date.now() - performance.now() + event.timeStamp;
            const updates = JSON.parse(event.data).updates || {};
            for (const key of Object.keys(updates)) {
                const s = index.get(key);
                if (s !== undefined && updates[key].x) note(updates[key].x, w.heard, s, w.arrived, at);
            }
        });
    }
    for (const name of ['animate', 'react', 'extendTraces', 'newPlot', 'purge']) {
        const original = window.Plotly[name];
        w.calls[name] = 0;
        window.Plotly[name] = function () { w.calls[name] += 1; return original.apply(this, arguments); };
    }
    const note = (x, newest, s, out, now) => {
        for (let j = x.length - 1; j >= 0 && x[j] > newest[s]; j--) out.push(s, x[j], now);
        newest[s] = x[x.length - 1];
    };
    const tick = () => {
        const started = performance.now();
        const now = Date.now();
        for (const gd of document.getElementsByClassName('js-plotly-plot')) {
            if (!gd.data || (gd.checkVisibility && !gd.checkVisibility())) continue;
            for (const trace of gd.data) {
                const s = index.has(trace.meta) ? index.get(trace.meta) : index.get(trace.name);
                const x = trace.x;
                if (s === undefined || !x || !x.length) continue;
                const last = x[x.length - 1];
                if (last > w.newest[s]) note(x, w.newest, s, w.data, now);
                if (!gd._transitioning && last > w.settled[s]) note(x, w.settled, s, w.drawn, now);
            }
        }
        w.ms += performance.now() - started;
        w.ticks += 1;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""

DRAIN_JS = """() => {
    const w = window.__wall;
    const out = {data: w.data, drawn: w.drawn, arrived: w.arrived, ms: w.ms, ticks: w.ticks, calls: w.calls};
    w.data = []; w.drawn = []; w.arrived = []; w.ms = 0; w.ticks = 0;
    w.calls = Object.fromEntries(Object.keys(w.calls).map((k) => [k, 0]));
    return out;
}"""

STREAM_OPEN_JS = "() => !!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"


def value(index: int, seq: int, wide: bool = False) -> float:
    """Return the seq-th value of the index-th series: 0 to 99 as the seeded windows, or above a million if wide."""
    return (1_000_000.0 + seq * 100 + index) if wide else float((seq * 37 + index * 11) % 100)


async def feed(
    producer: Producer,
    batch: Callable[[int], list[tuple[int, str, float]]],
    rate: float,
    seconds: float,
    sent: dict[Key, float],
) -> None:
    """Send `batch(count)`'s (index, series, value) points, all at one ts, every 1/rate s; note each (index, x) sent."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    count = 0
    while loop.time() - start < seconds:
        points = batch(count)
        ts = time.time()  # just before the send: the latency's start, and the points' time
        if producer.writer is not None:
            producer.writer.write([(series, ts, v) for _, series, v in points])
        else:
            body = {"points": [{"series": series, "value": v, "ts": ts} for _, series, v in points]}
            response = await producer.client.post(producer.server.url + "/api/points", json=body)
            response.raise_for_status()
        for index, _, _ in points:
            sent[(index, round(ts * 1000))] = ts
        count += 1
        await asyncio.sleep(max(0.0, start + count / rate - loop.time()))


def graphs_drawn_js(count: int) -> str:
    """Return a predicate: at least `count` graphs have a line in their SVG."""
    return f"() => document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length >= {count}"


def dashboards_file(path: Path, boards: dict[str, list[str]], columns: int) -> Path:
    """Write a dashboards file: per name a dashboard of one line panel per series, in kiosk mode."""
    dashboards = [
        {
            "name": name,
            "title": f"Wall {name}",
            "columns": columns,
            "kiosk": True,
            "panels": [{"title": series, "series": [series], "kind": "line"} for series in names],
        }
        for name, names in boards.items()
    ]
    # JSON is YAML: the file needs no serializer.
    path.write_text(json.dumps({"dashboards": dashboards}, indent=1))
    return path


def columns_for(panels: int) -> int:
    """Return the columns for a 16:9 screen: 16 as 4x4, 32 as 8x4, 64 as 8x8."""
    return 4 if panels <= 16 else 8


@dataclass
class Watch:
    """What the page saw: per point (index, x), when it was first in gd.data and when first drawn (ms)."""

    data: dict[Key, float] = field(default_factory=dict)
    drawn: dict[Key, float] = field(default_factory=dict)
    arrived: dict[Key, float] = field(default_factory=dict)  # when the point's frame reached the page
    watcher_ms: float = 0.0
    ticks: int = 0
    calls: dict[str, int] = field(default_factory=dict)  # Plotly function -> calls

    async def drain(self, page: Any) -> None:
        """Take what the page noted since the last drain (the page keeps nothing)."""
        out = await page.evaluate(DRAIN_JS)
        for name in ("data", "drawn", "arrived"):
            seen = getattr(self, name)
            flat = out[name]
            for i in range(0, len(flat), 3):
                seen.setdefault((int(flat[i]), int(flat[i + 1])), flat[i + 2])
        self.watcher_ms += out["ms"]
        self.ticks += out["ticks"]
        for name, count in out["calls"].items():
            self.calls[name] = self.calls.get(name, 0) + count

    async def wait_drawn(self, page: Any, values: Iterable[Key], timeout: float) -> None:
        """Drain until every value has been drawn, or `timeout` seconds have passed (the rest are missed)."""
        missing = set(values)
        deadline = time.monotonic() + timeout
        while True:
            await self.drain(page)
            missing -= self.drawn.keys()
            if not missing or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.25)


def latencies(sent: dict[Key, float], seen: dict[Key, float], since: float = 0.0, until: float = 1e18) -> list[float]:
    """Return the ms from each point's send (wall clock, s) to its sighting, for points sent in [since, until)."""
    return [seen[v] - at * 1000 for v, at in sent.items() if since <= at < until and v in seen]


def p(values: list[float], q: float) -> float:
    return percentile(values, q)


async def metrics(cdp: Any) -> dict[str, float]:
    """Return CDP's Performance metrics by name."""
    result = await cdp.send("Performance.getMetrics")
    return {m["name"]: m["value"] for m in result["metrics"]}


async def after_gc(cdp: Any) -> dict[str, float]:
    """Force a full garbage collection, then return the metrics (JSHeapUsedSize, Nodes, ...)."""
    await cdp.send("HeapProfiler.collectGarbage")
    return await metrics(cdp)


def load_average() -> float:
    """Return the 1-minute load average now."""
    return round(os.getloadavg()[0], 2)


def stamp() -> str:
    """Return the time now, UTC, to the minute."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
