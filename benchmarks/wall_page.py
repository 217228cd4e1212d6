"""What the wall and soak benchmarks share: the dashboards file, the page's watcher of points, CDP readings.

Every benchmark point's value is BASE + seq * SERIES + index (index: its series, seq: its count in
that series), so the page can tell which series and which point it is from the value alone, and
only an array of SERIES numbers is kept in the page however long it runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load import percentile

# Values at or above this are benchmark points (the seeded windows are below 100).
BASE = 1_000_000.0
VIEWPORT = {"width": 1920, "height": 1080}

# Every animation frame, for each graph on screen (checkVisibility: a playlist's hidden dashboards
# do not count) and each trace in it, note Date.now() (the clock Python's time.time() reads) when
# a value newer than its series' newest is first in gd.data, and when it first is there with the
# graph not in a Plotly transition (gd._transitioning: set by Plotly.animate until its transition
# ends), i.e. drawn. The watcher's own time is summed, to be told apart from the page's.
WATCH_JS = """(series) => {
    const w = window.__wall = {data: [], drawn: [], ms: 0, ticks: 0, calls: {},
        newest: new Float64Array(series).fill(-1), settled: new Float64Array(series).fill(-1)};
    // Count the graphs' Plotly calls (dcc.Graph calls the global Plotly, as pulseboard.js's hook relies on).
    for (const name of ['animate', 'react', 'extendTraces', 'newPlot', 'purge']) {
        const original = window.Plotly[name];
        w.calls[name] = 0;
        window.Plotly[name] = function () { w.calls[name] += 1; return original.apply(this, arguments); };
    }
    const note = (y, newest, s, out, now) => {
        for (let j = y.length - 1; j >= 0 && y[j] > newest[s]; j--) {
            if (y[j] >= BASE) out.push(y[j], now);
        }
        newest[s] = y[y.length - 1];
    };
    const tick = () => {
        const started = performance.now();
        const now = Date.now();
        for (const gd of document.getElementsByClassName('js-plotly-plot')) {
            if (!gd.data || (gd.checkVisibility && !gd.checkVisibility())) continue;
            for (const trace of gd.data) {
                const y = trace.y;
                const last = y && y.length ? y[y.length - 1] : -1;
                if (!(last >= BASE)) continue;
                const s = (last - BASE) % series;
                if (last > w.newest[s]) note(y, w.newest, s, w.data, now);
                if (!gd._transitioning && last > w.settled[s]) note(y, w.settled, s, w.drawn, now);
            }
        }
        w.ms += performance.now() - started;
        w.ticks += 1;
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}""".replace("BASE", repr(BASE))

DRAIN_JS = """() => {
    const w = window.__wall;
    const out = {data: w.data, drawn: w.drawn, ms: w.ms, ticks: w.ticks, calls: w.calls};
    w.data = []; w.drawn = []; w.ms = 0; w.ticks = 0;
    w.calls = Object.fromEntries(Object.keys(w.calls).map((k) => [k, 0]));
    return out;
}"""

STREAM_OPEN_JS = "() => !!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"


def value(index: int, seq: int, series: int) -> float:
    """Return the value of the seq-th point of the index-th of `series` series."""
    return BASE + seq * series + index


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
    """What the page saw: per point value, when it was first in gd.data and when first drawn (ms)."""

    data: dict[int, float] = field(default_factory=dict)
    drawn: dict[int, float] = field(default_factory=dict)
    watcher_ms: float = 0.0
    ticks: int = 0
    calls: dict[str, int] = field(default_factory=dict)  # Plotly function -> calls

    async def drain(self, page: Any) -> None:
        """Take what the page noted since the last drain (the page keeps nothing)."""
        out = await page.evaluate(DRAIN_JS)
        for name in ("data", "drawn"):
            seen = getattr(self, name)
            flat = out[name]
            for i in range(0, len(flat), 2):
                seen.setdefault(int(flat[i]), flat[i + 1])
        self.watcher_ms += out["ms"]
        self.ticks += out["ticks"]
        for name, count in out["calls"].items():
            self.calls[name] = self.calls.get(name, 0) + count

    async def wait_drawn(self, page: Any, values: Iterable[int], timeout: float) -> None:
        """Drain until every value has been drawn, or `timeout` seconds have passed (the rest are missed)."""
        missing = set(values)
        deadline = time.monotonic() + timeout
        while True:
            await self.drain(page)
            missing -= self.drawn.keys()
            if not missing or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.25)


def latencies(sent: dict[int, float], seen: dict[int, float], since: float = 0.0, until: float = 1e18) -> list[float]:
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
