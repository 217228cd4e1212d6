"""Many series in headless Chromium: 2,000 series at page load, and 500 new series arriving in one second.

    python -m benchmarks.many_series [--runs 3] [--only load,live] [--shapes 100x20,2000x1] [--window 1000]
        [--new-names 25] [--new-labels 20] [--spread 1] [--follow 5] [--existing 5] [--profile DIR]

Not a test: prints one JSON line per run, then a Markdown table per scenario (median and worst
of the runs, the target, PASS or FAIL). Issue 13, finding 1.

Page load: one SQLite file of Pulseboard's schema per shape (NAMES x LABEL SETS series, each with
a full window of points ending now, written straight into the file), one `uvicorn app:server`
on it (PULSEBOARD_FEED=false, other settings default: the automatic page draws its first
PULSEBOARD_AUTO_MAX_PANELS names). One unmeasured load first (the server's first request), then
each run opens `/` in a fresh browser context (a first visit: nothing cached), then reloads it
(scripts cached), each with a script installed before the page's own that notes, every 50 ms,
when the first panel and when every panel the page draws is drawn (a `.js-plotly-plot` with its
traces in gd.data and in the SVG), and a buffered PerformanceObserver of long tasks. Times are
from navigation start (`performance.now()`). After the observation window (10 s by default,
longer until every panel is drawn): the longest long task, the long tasks' total in the first
10 s, the end of the last long task (when the main thread was free for good), when the graphs'
callback response had arrived (Resource Timing) and the JS heap after a forced GC (CDP).

Live: per run a fresh file with `--existing` series (full windows) and a fresh server; the page
is opened and drawn, then NEW_NAMES x NEW_LABELS series arrive as NEW_LABELS posts (one per
label set, as hosts reporting all their metrics), spread evenly over `--spread` seconds, each
series' first point in one of them; then one post a second with a point for each, `--follow`
times. In the page a 50 ms timer notes when each new series key is first in a graph's
gd.data (a trace's `meta` is its key) and when its last point is. Times are from just before the
first post (Date.now() against time.time(), one clock). Long tasks from the first post on.

--profile DIR: one more run of each scenario (page load: a first visit) with CDP's sampling
profiler on the page; writes the .cpuprofile files (open them in Chrome's DevTools) and prints
the functions with the most self time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.browser import chromium
from benchmarks.servers import Server, Target
from live.config import DEFAULTS
from live.model import canonical_labels, series_key
from live.store.sqlite_schema import SCHEMA

VIEWPORT = {"width": 1280, "height": 1400}
FIRST_SECONDS = 10.0  # long tasks are totalled over the page's first this many seconds
TARGET_LOAD_MS = 3000.0  # page usable: first panels drawn and the main thread free
TARGET_LIVE_MS = 2000.0  # 500 new series drawn
TARGET_LONG_TASK_MS = 200.0
# The page is looked at every this many ms (a timer, not every animation frame: at every frame the
# watcher's own calls were 7% of the main thread's busy time while a page waited for its graphs).
POLL_MS = 50

# Before the page's own scripts: long tasks, and when the first and every expected panel is drawn.
LOAD_JS = """(() => {
    const expected = {panels: PANELS, traces: TRACES};
    const pb = window.__pbBench = {longtasks: [], first: null, all: null, panels: 0, traces: 0};
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) pb.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
    const timer = setInterval(() => {
        let panels = 0, traces = 0;
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            // Drawn: its traces are in gd.data and Plotly has put them in the SVG.
            if (gd.data && gd.data.length && gd.querySelector('.scatterlayer .trace')) {
                panels += 1;
                traces += gd.data.length;
            }
        }
        const now = performance.now();
        pb.panels = panels;
        pb.traces = traces;
        if (panels && pb.first === null) pb.first = now;
        // Every panel on screen drawn: the page makes the others' graphs only when scrolled to.
        const shown = Array.from(document.querySelectorAll('.pb-slot.pb-used')).filter((slot) => {
            const box = slot.getBoundingClientRect();
            return box.bottom > 0 && box.top < innerHeight;
        });
        const drawn = shown.filter((slot) => {
            const gd = slot.querySelector('.js-plotly-plot');
            return gd && gd.data && gd.data.length && gd.querySelector('.scatterlayer .trace');
        });
        if (shown.length && drawn.length === shown.length && pb.all === null) {
            pb.all = now;
            clearInterval(timer);
        }
    }, POLL_MS);
})();""".replace("POLL_MS", str(POLL_MS))

# On an open page: long tasks from now on, and when each expected key is first in gd.data and
# when its trace's last point is the last round's (Date.now(), the clock Python's time.time() reads).
LIVE_JS = """(keys) => {
    const pb = window.__pbLive = {start: performance.now(), longtasks: [], seen: {}, caught: {}, count: 0, done: 0};
    const want = new Set(keys);
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
            if (e.startTime + e.duration >= pb.start) pb.longtasks.push([e.startTime, e.duration]);
        }
    }).observe({type: 'longtask'});
    setInterval(() => {
        const now = Date.now();
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            for (const trace of gd.data || []) {
                const key = trace.meta;
                if (!want.has(key)) continue;
                if (!(key in pb.seen)) { pb.seen[key] = now; pb.count += 1; }
                const y = trace.y;
                if (!(key in pb.caught) && y && y.length && y[y.length - 1] >= FINAL) {
                    pb.caught[key] = now;
                    pb.done += 1;
                }
            }
        }
    }, POLL_MS);
}""".replace("POLL_MS", str(POLL_MS))

CALLBACKS_JS = """() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('_dash-update-component'))
    .map((e) => ({start: e.startTime, response: e.responseStart, end: e.responseEnd, bytes: e.decodedBodySize}))"""

# The new series whose panel's slot is on screen (those the page draws; the others wait until scrolled to).
ON_SCREEN_JS = """(keys) => keys.filter((key) => {
    const trace = window.pulseboard.traces.get(key);
    const slot = trace && document.getElementById(JSON.stringify({panel: trace.panel.id, type: 'pb-slot'}));
    if (!slot) return false;
    const box = slot.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight;
})"""

STREAM_OPEN_JS = "!!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"


def label_sets(count: int) -> list[str]:
    """Return `count` label sets as canonical text: none when one, else host=h00, h01, ..."""
    if count == 1:
        return [""]
    return [canonical_labels({"host": f"h{i:02d}"}) for i in range(count)]


def seed(path: Path, names: list[str], labels: list[str], points: int) -> int:
    """Create the file and give every (name, labels) series `points` points ending now, 1 s apart.

    Rows go in time order, all series at each second, as a live producer writes them. Returns
    the number of series.
    """
    now = time.time()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO series (name, labels) VALUES (?, ?)", [(n, ls) for n in names for ls in labels])
        ids = [row[0] for row in db.execute("SELECT id FROM series ORDER BY id")]
        for start in range(0, points, 50):  # 50 seconds of every series per statement batch
            rows = [
                (sid, now - (points - i), float((i * 7 + sid * 13) % 100))
                for i in range(start, min(points, start + 50))
                for sid in ids
            ]
            db.executemany("INSERT INTO points (series_id, ts, value) VALUES (?, ?, ?)", rows)
        db.commit()
    return len(ids)


def server(tmp: Path, database: Path, env: dict[str, str]) -> Server:
    """Start `uvicorn app:server` on the file (PULSEBOARD_FEED=false) and wait until it answers."""
    target = Target("pulseboard", "Pulseboard", "app:server", "sse", tuple(env.items()))
    return Server(target, database, [], 1.0, tmp / f"uvicorn-{database.stem}.log").start()


def median_worst(values: list[float], worst: str = "max") -> tuple[float, float]:
    """Return the median and the worst (largest, unless told otherwise) of the values."""
    if not values:
        return float("nan"), float("nan")
    return statistics.median(values), (max(values) if worst == "max" else min(values))


def ms(value: float | None) -> str:
    """Format milliseconds, or 'never' for a time that did not come."""
    if value is None or value != value:
        return "never"
    return f"{value:,.0f} ms"


# ---------------------------------------------------------------------------------------------
# Profiling: CDP's sampling profiler on the page, summed by function.


async def start_profiler(cdp: Any) -> None:
    """Start sampling the page's JavaScript every 500 µs."""
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    await cdp.send("Profiler.start")


def _frame_name(node: dict[str, Any]) -> str:
    frame = node["callFrame"]
    url = frame.get("url", "").rsplit("/", 1)[-1].split("?")[0]
    return (frame["functionName"] or "(anonymous)") + (f" {url}:{frame['lineNumber'] + 1}" if url else "")


async def stop_profiler(cdp: Any, path: Path, top: int = 20) -> list[str]:
    """Stop the profiler, write its .cpuprofile; return the functions with the most self and total time.

    Total time: the samples a function was on the stack for (once per sample, however deep it
    recursed). Idle samples are left out of both.
    """
    profile = (await cdp.send("Profiler.stop"))["profile"]
    path.write_text(json.dumps(profile))
    nodes = {node["id"]: node for node in profile["nodes"]}
    parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    own: dict[str, float] = defaultdict(float)
    inclusive: dict[str, float] = defaultdict(float)
    busy = 0.0
    for sample, delta in zip(profile.get("samples", []), profile.get("timeDeltas", []), strict=False):
        name = _frame_name(nodes[sample])
        if name == "(idle)":
            continue
        busy += delta
        own[name] += delta
        seen: set[str] = set()
        node_id: int | None = sample
        while node_id is not None:
            caller = _frame_name(nodes[node_id])
            if caller not in seen and caller != "(root)":
                seen.add(caller)
                inclusive[caller] += delta
            node_id = parents.get(node_id)
    lines = [f"  profile {path.name}: {busy / 1000:,.0f} ms busy (not idle) sampled"]
    for title, table in (("self", own), ("total", inclusive)):
        lines.append(f"  by {title} time:")
        for name, micros in sorted(table.items(), key=lambda item: -item[1])[:top]:
            lines.append(f"  {micros / 1000:9,.0f} ms {100 * micros / max(busy, 1):5.1f}%  {name}")
    return lines


# ---------------------------------------------------------------------------------------------
# Page load


@dataclass
class LoadRun:
    """One page load: times from navigation start, in ms."""

    first: float | None
    all: float | None
    panels: int
    traces: int
    longest: float
    long_total: float  # long tasks in the first FIRST_SECONDS
    long_count: int
    free: float  # end of the last long task (0: none)
    heap_mib: float
    callback_end: float | None  # the graphs' callback response fully received
    callback_bytes: int

    @property
    def usable(self) -> float | None:
        """When the first panel was drawn and the main thread free for good."""
        return None if self.first is None else max(self.first, self.free)


async def _heap_mib(page: Any) -> float:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    await cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    await cdp.detach()
    return metrics["JSHeapUsedSize"] / 2**20


async def _observe(page: Any, observe: float, timeout: float) -> None:
    """Wait until every panel is drawn (or the timeout), and for at least the observation window."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = await page.evaluate("() => window.__pbBench && [window.__pbBench.all, performance.now()]")
        if state is not None and state[0] is not None and state[1] >= observe * 1000:
            return
        await asyncio.sleep(0.25)


async def _load_figures(page: Any) -> LoadRun:
    bench = await page.evaluate("() => window.__pbBench")
    callbacks = await page.evaluate(CALLBACKS_JS)
    heap = await _heap_mib(page)
    tasks = bench["longtasks"]
    graphs = max(callbacks, key=lambda c: c["bytes"]) if callbacks else None
    return LoadRun(
        first=bench["first"],
        all=bench["all"],
        panels=bench["panels"],
        traces=bench["traces"],
        longest=max((d for _, d in tasks), default=0.0),
        long_total=sum(min(d, FIRST_SECONDS * 1000 - s) for s, d in tasks if s < FIRST_SECONDS * 1000),
        long_count=len(tasks),
        free=max((s + d for s, d in tasks), default=0.0),
        heap_mib=heap,
        callback_end=graphs["end"] if graphs else None,
        callback_bytes=graphs["bytes"] if graphs else 0,
    )


async def load_once(
    browser: Any,
    url: str,
    panels: int,
    traces: int,
    observe: float,
    timeout: float,
    profile: Path | None = None,
    visits: tuple[str, ...] = ("first", "reload"),
) -> list[LoadRun]:
    """Open the page in a fresh context (a first visit), then reload it (scripts cached); measure each."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        script = LOAD_JS.replace("PANELS", str(panels)).replace("TRACES", str(traces))
        await context.add_init_script(script=script)
        page = await context.new_page()
        loads = []
        for visit in visits:
            cdp = None
            if profile is not None:
                cdp = await context.new_cdp_session(page)
                await start_profiler(cdp)
            if visit == "first":
                await page.goto(url, wait_until="commit")
            else:
                await page.reload(wait_until="commit")
            await _observe(page, observe, timeout)
            if cdp is not None and profile is not None:
                for line in await stop_profiler(cdp, profile.with_name(f"{profile.stem}-{visit}.cpuprofile")):
                    print(line, flush=True)
                await cdp.detach()
            loads.append(await _load_figures(page))
    finally:
        await context.close()
    return loads


async def page_load(
    tmp: Path, names: int, labels: int, window: int, runs: int, observe: float, timeout: float, profile: Path | None
) -> dict[str, Any]:
    """Seed NAMES x LABELS series, start a server, load the page `runs` times; return the figures."""
    database = tmp / f"load-{names}x{labels}.sqlite3"
    name_list = [f"load.m{i:04d}" for i in range(names)]
    t0 = time.monotonic()
    count = seed(database, name_list, label_sets(labels), window)
    seeded = time.monotonic() - t0
    shown = min(names, int(os.environ.get("PULSEBOARD_AUTO_MAX_PANELS", DEFAULTS["AUTO_MAX_PANELS"])))
    panels, traces = shown, shown * labels
    env = {"PULSEBOARD_WINDOW_POINTS": str(window)}
    live = server(tmp, database, env)
    results: dict[str, list[LoadRun]] = {"first": [], "reload": []}
    try:
        async with chromium() as browser:
            # The server's first request, not measured.
            await load_once(browser, live.url + "/", panels, traces, 0.0, timeout, visits=("first",))
            for run in range(runs):
                first, reload = await load_once(browser, live.url + "/", panels, traces, observe, timeout)
                for visit, result in (("first", first), ("reload", reload)):
                    results[visit].append(result)
                    line = {"scenario": "load", "shape": f"{names}x{labels}", "visit": visit, "run": run + 1}
                    line["load_average"] = round(os.getloadavg()[0], 2)
                    print(json.dumps({**line, **vars(result)}), flush=True)
            if profile is not None:
                print(f"profiling one more load of {names}x{labels}:", flush=True)
                await load_once(
                    browser,
                    live.url + "/",
                    panels,
                    traces,
                    observe,
                    timeout,
                    profile / f"load-{names}x{labels}.cpuprofile",
                    visits=("first",),
                )
    finally:
        live.stop()
    return {
        "names": names,
        "labels": labels,
        "series": count,
        "panels": panels,
        "traces": traces,
        "window": window,
        "seeded_s": seeded,
        "runs": results,
    }


def cell(values: list[float | None], unit: str = "ms", digits: int = 0) -> str:
    """Return "median (worst)" of the runs' values; a time that never came is the worst."""
    known = [float(v) for v in values if v is not None]
    if len(known) < len(values):
        return f"{ms(statistics.median(known)) if len(known) > len(values) / 2 else 'never'} (never)"
    middle, worst = median_worst(known)
    if unit == "ms":
        return f"{ms(middle)} ({ms(worst)})"
    return f"{middle:,.{digits}f} {unit} ({worst:,.{digits}f} {unit})"


def worst_time(values: list[float | None]) -> str:
    """Return the worst of the runs' times, or "never" if one never came."""
    return "never" if any(v is None for v in values) else ms(max(v for v in values if v is not None))


def load_table(results: list[dict[str, Any]]) -> str:
    """Return the page-load figures as a Markdown table: median (worst) of the runs."""
    lines = [
        "| Page load (headless Chromium, times from navigation start) | First panel drawn | All panels on screen drawn "
        "| Main thread free (end of last long task) | Longest long task | Long tasks in first 10 s (count) "
        "| Graphs' callback received (bytes) | JS heap after GC | Target: usable ≤ 3 s | Result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result, visit in ((result, visit) for result in results for visit in ("first", "reload")):
        runs: list[LoadRun] = result["runs"][visit]
        usable = [r.usable for r in runs]
        ok = all(u is not None and u <= TARGET_LOAD_MS for u in usable)
        scenario = (
            f"{result['series']:,} series ({result['names']:,} names × {result['labels']} label sets), "
            f"{result['window']:,}-point windows: {result['panels']} panels, {result['traces']:,} traces drawn; "
            + ("first visit (empty cache)" if visit == "first" else "reload (scripts cached)")
        )
        fewest = min(r.panels for r in runs)
        if fewest < result["panels"]:
            scenario += f" (only {fewest} panels drawn in one run)"
        mib = statistics.median([r.callback_bytes for r in runs]) / 2**20
        long_tasks = statistics.median([r.long_count for r in runs])
        lines.append(
            f"| {scenario} | {cell([r.first for r in runs])} | {cell([r.all for r in runs])} "
            f"| {cell([r.free for r in runs])} | {cell([r.longest for r in runs])} "
            f"| {cell([r.long_total for r in runs])} ({long_tasks:.0f}) "
            f"| {cell([r.callback_end for r in runs])} ({mib:,.1f} MiB) "
            f"| {cell([r.heap_mib for r in runs], 'MiB', 1)} "
            f"| usable at {worst_time(usable)} (worst) | {'PASS' if ok else 'FAIL'} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# New series on an open page


@dataclass
class LiveRun:
    """One arrival of new series; times in ms from just before the first post."""

    series: int
    on_screen: int  # of them, those whose panel is on screen: what is judged
    drawn: int
    first_seen: float | None
    all_seen: float | None
    caught: int  # traces whose last point is the last round's
    last_round: float | None  # from just before the last round's post until every trace had it
    longest: float
    long_total: float
    long_count: int
    posts_ms: float  # how long the arrival posts took, first to last answered
    heap_mib: float = 0.0
    statuses: list[int] = field(default_factory=list)


async def live_once(
    browser: Any,
    tmp: Path,
    run: int,
    existing: int,
    names: int,
    labels: int,
    spread: float,
    follow: int,
    window: int,
    timeout: float,
    profile: Path | None = None,
) -> LiveRun:
    """Fresh file and server with `existing` series, page open; then the new series (module's docstring)."""
    database = tmp / f"live-{run}.sqlite3"
    seed(database, [f"old.m{i:02d}" for i in range(existing)], [""], window)
    live = server(tmp, database, {"PULSEBOARD_WINDOW_POINTS": str(window)})
    new_names = [f"new.m{i:02d}" for i in range(names)]
    sets = label_sets(labels)
    keys = [series_key(name, ls) for ls in sets for name in new_names]
    statuses: list[int] = []
    try:
        context = await browser.new_context(viewport=VIEWPORT)
        try:
            page = await context.new_page()
            await page.goto(live.url + "/")
            await page.wait_for_function(STREAM_OPEN_JS, timeout=60_000)
            await page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length >= {existing}",
                timeout=60_000,
            )
            await asyncio.sleep(1.5)  # the first draws' animations settle
            cdp = None
            if profile is not None:
                cdp = await context.new_cdp_session(page)
                await start_profiler(cdp)
            await page.evaluate(LIVE_JS.replace("FINAL", str(float(follow))), keys)
            async with httpx.AsyncClient(timeout=30) as client:

                async def post(points: list[dict[str, Any]]) -> None:
                    response = await client.post(live.url + "/api/points", json={"points": points})
                    statuses.append(response.status_code)

                def points(label: str, round_: int) -> list[dict[str, Any]]:
                    # The value's whole part is the round, so the page can tell the last round's point.
                    return [
                        {
                            "series": name,
                            "value": round_ + (k % 10) / 20,
                            "ts": time.time(),
                            **({"labels": json.loads(label)} if label else {}),
                        }
                        for k, name in enumerate(new_names)
                    ]

                loop = asyncio.get_running_loop()
                begin = time.time()
                started = loop.time()
                sends = []
                for i, label in enumerate(sets):  # one post per label set: a host with all its metrics
                    await asyncio.sleep(max(0.0, started + i * spread / len(sets) - loop.time()))
                    sends.append(asyncio.create_task(post(points(label, 0))))
                await asyncio.gather(*sends)
                posts_ms = (time.time() - begin) * 1000
                last_post = begin
                for r in range(1, follow + 1):  # then a point a second for every new series
                    await asyncio.sleep(max(0.0, started + spread + (r - 1) - loop.time()))
                    last_post = time.time()
                    await post([p for label in sets for p in points(label, r)])
                deadline = loop.time() + timeout
                while loop.time() < deadline:
                    shown = await page.evaluate(ON_SCREEN_JS, keys)
                    state = await page.evaluate(
                        "(keys) => [keys.filter((k) => k in window.__pbLive.seen).length,"
                        " keys.filter((k) => k in window.__pbLive.caught).length]", shown)
                    if shown and state[0] >= len(shown) and state[1] >= len(shown):
                        break
                    await asyncio.sleep(0.25)
                await asyncio.sleep(1.0)  # long tasks that end after the last draw
            if cdp is not None:
                for line in await stop_profiler(cdp, profile):
                    print(line, flush=True)
            bench = await page.evaluate("() => window.__pbLive")
            shown = await page.evaluate(ON_SCREEN_JS, keys)
            heap = await _heap_mib(page)
        finally:
            await context.close()
    finally:
        live.stop()
    # Judged on the series whose panels are on screen: the page draws those (the rest when scrolled to).
    seen = [bench["seen"][key] - begin * 1000 for key in shown if key in bench["seen"]]
    caught = [bench["caught"][key] - last_post * 1000 for key in shown if key in bench["caught"]]
    tasks = bench["longtasks"]
    return LiveRun(
        series=len(keys),
        on_screen=len(shown),
        drawn=len(seen),
        first_seen=min(seen) if seen else None,
        all_seen=max(seen) if shown and len(seen) == len(shown) else None,
        caught=len(caught),
        last_round=max(caught) if shown and len(caught) == len(shown) else None,
        longest=max((d for _, d in tasks), default=0.0),
        long_total=sum(d for _, d in tasks),
        long_count=len(tasks),
        posts_ms=posts_ms,
        heap_mib=heap,
        statuses=sorted(set(statuses)),
    )


async def new_series(
    tmp: Path,
    runs: int,
    existing: int,
    names: int,
    labels: int,
    spread: float,
    follow: int,
    window: int,
    timeout: float,
    profile: Path | None,
) -> dict[str, Any]:
    """Run the arrival of new series `runs` times, each on a fresh server; return the figures."""
    results: list[LiveRun] = []
    async with chromium() as browser:
        for run in range(runs):
            result = await live_once(browser, tmp, run, existing, names, labels, spread, follow, window, timeout)
            results.append(result)
            line = {"scenario": "live", "run": run + 1, "load_average": round(os.getloadavg()[0], 2)}
            print(json.dumps({**line, **vars(result)}), flush=True)
        if profile is not None:
            print("profiling one more arrival of new series:", flush=True)
            await live_once(
                browser,
                tmp,
                runs,
                existing,
                names,
                labels,
                spread,
                follow,
                window,
                timeout,
                profile / "live.cpuprofile",
            )
    return {
        "existing": existing,
        "names": names,
        "labels": labels,
        "spread": spread,
        "follow": follow,
        "runs": results,
    }


def live_table(result: dict[str, Any]) -> str:
    """Return the new-series figures as a Markdown table: median (worst) of the runs."""
    runs: list[LiveRun] = result["runs"]
    drawn_ok = all(r.all_seen is not None and r.all_seen <= TARGET_LIVE_MS for r in runs)
    tasks_ok = all(r.longest <= TARGET_LONG_TASK_MS for r in runs)
    scenario = (
        f"{runs[0].series:,} new series ({result['names']} names × {result['labels']} label sets) in "
        f"{result['labels']} posts over {result['spread']:g} s, then a point each a second ×{result['follow']}; "
        f"page open with {result['existing']} series"
    )
    long_tasks = statistics.median([r.long_count for r in runs])
    longest = ms(max(r.longest for r in runs))
    lines = [
        "| New series on an open page (times from just before the first post) | First new trace in gd.data "
        "| All on screen in gd.data | Last round in every trace on screen (from its post) | Longest long task "
        "| Long tasks, total (count) | JS heap after GC | Target: all drawn ≤ 2 s, no long task > 200 ms | Result |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {scenario} | {cell([r.first_seen for r in runs])} | {cell([r.all_seen for r in runs])} "
        f"| {cell([r.last_round for r in runs])} | {cell([r.longest for r in runs])} "
        f"| {cell([r.long_total for r in runs])} ({long_tasks:.0f}) "
        f"| {cell([r.heap_mib for r in runs], 'MiB', 1)} "
        f"| drawn {worst_time([r.all_seen for r in runs])}, longest {longest} (worst) "
        f"| {'PASS' if drawn_ok and tasks_ok else 'FAIL'} |",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def shapes(text: str) -> list[tuple[int, int]]:
    """Parse "100x20,2000x1" as [(100, 20), (2000, 1)]: names x label sets."""
    out = []
    for part in text.split(","):
        names, _, labels = part.strip().partition("x")
        out.append((int(names), int(labels or 1)))
    return out


async def measure(args: argparse.Namespace, tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Run the scenarios asked for; return their figures."""
    profile = Path(args.profile) if args.profile else None
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
    loads = []
    if "load" in args.only:
        for names, labels in shapes(args.shapes):
            loads.append(
                await page_load(tmp, names, labels, args.window, args.runs, args.observe, args.timeout, profile)
            )
    live = None
    if "live" in args.only:
        live = await new_series(
            tmp,
            args.runs,
            args.existing,
            args.new_names,
            args.new_labels,
            args.spread,
            args.follow,
            args.window,
            args.timeout,
            profile,
        )
    return loads, live


def code() -> str:
    """Return the commit the code under test is at, and whether the tree has changes."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "-uno"], capture_output=True, text=True
        )
    except OSError:
        return "not a git checkout"
    if head.returncode:
        return "not a git checkout"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, and print the tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.many_series", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario (default 3)")
    parser.add_argument("--only", default="load,live", help="scenarios: load, live (default both)")
    parser.add_argument(
        "--shapes", default="100x20,2000x1", help="page load: NAMESxLABELSETS,... (default 100x20,2000x1)"
    )
    parser.add_argument("--window", type=int, default=1000, help="points per series, seeded full (default 1000)")
    parser.add_argument("--observe", type=float, default=FIRST_SECONDS, help="page load: seconds observed (default 10)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for every panel (default 120)")
    parser.add_argument("--existing", type=int, default=5, help="live: series on the page before (default 5)")
    parser.add_argument("--new-names", type=int, default=25, help="live: new series names (default 25)")
    parser.add_argument("--new-labels", type=int, default=20, help="live: label sets per new name (default 20)")
    parser.add_argument(
        "--spread", type=float, default=1.0, help="live: seconds the new series arrive over (default 1)"
    )
    parser.add_argument("--follow", type=int, default=5, help="live: then this many rounds, one a second (default 5)")
    parser.add_argument("--profile", default="", help="also profile one run of each scenario; .cpuprofile files here")
    args = parser.parse_args(argv)
    args.only = {part.strip() for part in args.only.split(",")}
    from benchmarks.report import machine  # its Chromium probe is only for the run's description

    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory() as name:
        loads, live = asyncio.run(measure(args, Path(name)))
    print()
    print(f"Run {began}, {args.runs} runs of each scenario; median (worst). Code: {code()}.")
    print(machine())
    if loads:
        print()
        print(load_table(loads))
    if live is not None:
        print()
        print(live_table(live))
    return 0


if __name__ == "__main__":
    sys.exit(main())
