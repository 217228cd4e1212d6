"""The soak: a kiosk page of 16 line panels at 10 points/s each for an hour, its memory and latency each minute.

    python -m benchmarks.soak [--minutes 60] [--panels 16] [--rate 10] [--every 60] [--window 1000]
        [--playlist a,b,c [--interval 30s]] [--path URL]

Not a test: prints a JSON line per reading, then a Markdown table and the three checks of issue 15
(JS heap after GC grows < 10% first reading to last; latency p95 of the last 5 minutes within 20%
of the first 5; DOM nodes flat). One `uvicorn app:server` on a SQLite file seeded with a full
window per series, a dashboards file of kiosk dashboards of one line panel per series, one headless
Chromium at 1920x1080. Every 1/rate s one POST carries a point for every series.

Without --playlist the page is `/d/soak?kiosk=1`. With it, every name is a dashboard of the same
series (each in another order) and the page is `/d/<first>?kiosk=1&playlist=<names>&interval=<interval>`,
so the series on screen are the same whichever dashboard is shown. --path gives the page's path
and query instead ({first}, {playlist} and {interval} are filled in).

Every --every seconds (60: a reading a minute): a full garbage collection (CDP
HeapProfiler.collectGarbage), then CDP Performance metrics JSHeapUsedSize, Nodes (DOM nodes the
renderer holds, detached ones included) and JSEventListeners, the nodes in the document, and the
latency p50/p95 of the points sent since the last reading (wall_page.py: from just before the POST
to the first animation frame at which the point is in the graph's gd.data).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import wall_page as wp
from benchmarks.browser import chromium
from benchmarks.data import seed
from benchmarks.servers import PULSEBOARD, Producer, Server, Target

HEAP_TARGET = 0.10
P95_TARGET = 0.20
COMPARE_MINUTES = 5.0
ATTACHED_JS = "() => [document.getElementsByTagName('*').length, location.href, window.__soakMark === 1]"


@dataclass
class Reading:
    """One reading after a forced GC; at and since: seconds since the points began (latency of points sent between)."""

    since: float
    at: float
    heap_mib: float
    nodes: int
    attached: int
    listeners: int
    sent: int
    seen: int
    p50: float
    p95: float
    load: float
    url: str


def boards(names: list[str], series: list[str]) -> dict[str, list[str]]:
    """Return the dashboards: each name shows every series, each starting at another one."""
    step = max(1, len(series) // max(1, len(names)))
    return {name: series[k * step :] + series[: k * step] for k, name in enumerate(names)}


def page_path(path: str, names: list[str], interval: str) -> str:
    """Return the page's path and query: the one dashboard, or the playlist's first with the playlist."""
    if not path:
        if len(names) == 1:
            return f"/d/{names[0]}?kiosk=1"
        path = "/d/{first}?kiosk=1&playlist={playlist}&interval={interval}"
    return path.format(first=names[0], playlist=",".join(names), interval=interval)


async def reading(
    page: Any, cdp: Any, watch: wp.Watch, sent: dict[wp.Key, float], since: float, began: float
) -> Reading:
    """Take the page's points so far, force a GC and read the heap and nodes; latency of points sent since `since`."""
    await watch.drain(page)
    metrics = await wp.after_gc(cdp)
    attached, url, _ = await page.evaluate(ATTACHED_JS)
    now = time.time()
    values = wp.latencies(sent, watch.data, since, now)
    return Reading(
        since=since - began,
        at=now - began,
        heap_mib=metrics["JSHeapUsedSize"] / 2**20,
        nodes=int(metrics["Nodes"]),
        attached=attached,
        listeners=int(metrics["JSEventListeners"]),
        sent=sum(1 for at in sent.values() if since <= at < now),
        seen=len(values),
        p50=wp.p(values, 50),
        p95=wp.p(values, 95),
        load=wp.load_average(),
        url=url,
    )


async def soak(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run the soak; return the readings and the whole run's figures."""
    series = [f"soak.{i:02d}" for i in range(args.panels)]
    names = args.playlist.split(",") if args.playlist else ["soak"]
    database = tmp / "points.sqlite3"
    seed(database, series, args.window)
    board = wp.dashboards_file(tmp / "dashboards.yaml", boards(names, series), wp.columns_for(args.panels))
    env = (("PULSEBOARD_DASHBOARDS", str(board)), ("PULSEBOARD_WINDOW_POINTS", str(args.window)))
    target = Target(PULSEBOARD.key, PULSEBOARD.label, PULSEBOARD.module, "sse", env)
    running = Server(target, database, series, args.rate, tmp / "server.log").start()
    sent: dict[wp.Key, float] = {}
    readings: list[Reading] = []
    try:
        async with chromium() as browser:
            context = await browser.new_context(viewport=wp.VIEWPORT)
            page = await context.new_page()
            await page.goto(running.url + page_path(args.path, names, args.interval))
            await page.wait_for_function(wp.STREAM_OPEN_JS, timeout=120_000)
            await page.wait_for_function(wp.graphs_drawn_js(args.panels), timeout=120_000)
            await asyncio.sleep(2.0)  # the first draws settle
            await page.evaluate("() => { window.__soakMark = 1; }")  # gone if the page reloads
            cdp = await context.new_cdp_session(page)
            await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
            await cdp.send("HeapProfiler.enable")
            await page.evaluate(wp.WATCH_JS, [series, round(time.time() * 1000)])
            watch = wp.Watch()
            began = time.time()
            start = await reading(page, cdp, watch, sent, began, began)
            print(json.dumps({"reading": "start", **asdict(start)}), flush=True)
            producer = Producer(running)

            def points(count: int) -> list[tuple[int, str, float]]:
                return [(index, name, wp.value(index, count)) for index, name in enumerate(series)]

            before = await wp.metrics(cdp)
            clock = time.monotonic()
            seconds = args.minutes * 60
            feeding = asyncio.create_task(wp.feed(producer, points, args.rate, seconds, sent))
            since = time.time()
            next_reading = began + args.every
            while not feeding.done():
                await asyncio.sleep(min(5.0, max(0.05, next_reading - time.time())))
                if time.time() >= next_reading or feeding.done():
                    readings.append(await reading(page, cdp, watch, sent, since, began))
                    print(json.dumps(asdict(readings[-1])), flush=True)
                    since, next_reading = began + readings[-1].at, next_reading + args.every  # no gap
                else:
                    await watch.drain(page)
            await feeding
            after = await wp.metrics(cdp)
            elapsed = time.monotonic() - clock
            await watch.wait_drawn(page, sent, 30.0)  # the points still on their way
            reloaded = not (await page.evaluate(ATTACHED_JS))[2]
            await producer.close()
            await context.close()
    finally:
        running.stop()
    return {
        "start": start,
        "readings": readings,
        "sent": sent,
        "watch": watch,
        "busy_ms_per_s": (after["TaskDuration"] - before["TaskDuration"]) / elapsed * 1000,
        "reloaded": reloaded,
        "began": began,
    }


def settle_latencies(result: dict[str, Any]) -> None:
    """Count each reading's points again with everything the page saw (a point may land after its reading)."""
    sent, seen, began = result["sent"], result["watch"].data, result["began"]
    for r in result["readings"]:
        since, until = began + r.since, began + r.at
        values = wp.latencies(sent, seen, since, until)
        r.sent = sum(1 for at in sent.values() if since <= at < until)
        r.seen, r.p50, r.p95 = len(values), wp.p(values, 50), wp.p(values, 95)


def window_p95(result: dict[str, Any], first: bool, minutes: float) -> float:
    """Return the latency p95 of the points sent in the first (or last) `minutes` of the run."""
    sent, began = result["sent"], result["began"]
    end = max(sent.values())
    since, until = (began, began + minutes * 60) if first else (end - minutes * 60, end + 1)
    return wp.p(wp.latencies(sent, result["watch"].data, since, until), 95)


def checks(result: dict[str, Any], minutes: float) -> list[str]:
    """Return the issue's three checks as lines: heap growth, p95 last against first, DOM nodes."""
    readings: list[Reading] = result["readings"]
    first, last = readings[0], readings[-1]
    growth = last.heap_mib / first.heap_mib - 1
    span = min(COMPARE_MINUTES, minutes / 2)
    early, late = window_p95(result, True, span), window_p95(result, False, span)
    change = late / early - 1
    nodes = [r.nodes for r in readings]
    attached = [r.attached for r in readings]
    sent, seen = len(result["sent"]), sum(1 for v in result["sent"] if v in result["watch"].drawn)
    verdict = {True: "PASS", False: "FAIL"}
    return [
        f"- JS heap after GC, first reading → last: {first.heap_mib:.1f} → {last.heap_mib:.1f} MiB "
        f"({growth:+.1%}; from before the points began: {result['start'].heap_mib:.1f} MiB). "
        f"Target < {HEAP_TARGET:.0%}: {verdict[growth < HEAP_TARGET]}",
        f"- Latency p95, first {span:g} min → last {span:g} min: {early:,.0f} → {late:,.0f} ms ({change:+.1%}). "
        f"Target within {P95_TARGET:.0%}: {verdict[abs(change) <= P95_TARGET]}",
        f"- DOM nodes (CDP Nodes), first → last: {nodes[0]:,} → {nodes[-1]:,} "
        f"(min {min(nodes):,}, max {max(nodes):,}); "
        f"in the document: {attached[0]:,} → {attached[-1]:,} (min {min(attached):,}, max {max(attached):,})",
        f"- Points: {sent:,} sent, {seen:,} drawn, {sent - seen:,} missed; page reloaded: "
        f"{'yes' if result['reloaded'] else 'no'}; main thread busy {result['busy_ms_per_s']:,.0f} ms/s "
        f"(watcher's own {result['watch'].watcher_ms / (last.at or 1):,.1f} ms/s)",
    ]


def table(readings: list[Reading]) -> str:
    """Return the readings as a Markdown table."""
    lines = [
        "| Minute (s) | JS heap after GC | DOM nodes (CDP) | In the document | JS listeners | Points sent / seen "
        "| Latency p50 / p95 | Load average |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in readings:
        lines.append(
            f"| {r.at / 60:.1f} ({r.since:.1f}–{r.at:.1f}) | {r.heap_mib:.2f} MiB | {r.nodes:,} | {r.attached:,} "
            f"| {r.listeners:,} | {r.sent:,} / {r.seen:,} | {r.p50:,.0f} / {r.p95:,.0f} ms | {r.load:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once and print the readings and the checks."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="minutes of points (default 60; 0.2 is fine)")
    parser.add_argument("--panels", type=int, default=16, help="line panels, one series each (default 16)")
    parser.add_argument("--rate", type=float, default=10.0, help="points a second per series (default 10)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between readings (default 60)")
    parser.add_argument("--window", type=int, default=1000, help="points per series, seeded full (default 1000)")
    parser.add_argument("--playlist", default="", help="dashboard names to rotate, e.g. a,b,c (default: one)")
    parser.add_argument("--interval", default="30s", help="the playlist's interval (default 30s)")
    parser.add_argument("--path", default="", help="the page's path and query; {first}, {playlist}, {interval}")
    args = parser.parse_args(argv)
    if not 1 <= args.panels <= 64:
        parser.error("--panels must be 1 to 64 (a dashboard's most panels)")
    if args.minutes <= 0 or args.every <= 0:
        parser.error("--minutes and --every must be above 0")
    began = wp.stamp()
    with tempfile.TemporaryDirectory(prefix="pulseboard-soak-") as name:
        result = asyncio.run(soak(args, Path(name)))
    settle_latencies(result)
    from benchmarks.many_series import code
    from benchmarks.report import machine

    names = args.playlist or "one dashboard"
    print()
    print(
        f"Run {began}, {args.minutes:g} min, {args.panels} panels at {args.rate:g} points/s each, "
        f"{args.window}-point windows, {names}; a reading every {args.every:g} s. Code: {code()}."
    )
    print(machine())
    print()
    print(table(result["readings"]))
    print()
    print("\n".join(checks(result, args.minutes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
