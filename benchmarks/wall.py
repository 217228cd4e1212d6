"""The wall: 16, 32 and 64 line panels at 1 point/s each, Pulseboard's kiosk page against dcc.Interval + extendData.

    python -m benchmarks.wall [--panels 16,32,64] [--seconds 60] [--window 1000] [--together]

Not a test: prints one JSON line per row, then a Markdown table (targets from issue 15: 32 panels
p95 < 250 ms with every point drawn, 64 panels p95 < 400 ms). One run, the two apps one after the
other at each panel count, each on a fresh server and SQLite file seeded with a full window per
series, in one headless Chromium at 1920x1080:

- Pulseboard (`uvicorn app:server`, other settings default): a dashboards file of one dashboard of
  N line panels, one series each (4 columns for 16, 8 for 32 and 64), opened at `/d/wall?kiosk=1`.
  Points are POSTed to /api/points.
- Baseline (b), `dcc.Interval` + `extendData` (benchmarks/baselines/interval_extend.py), ticking at
  Pulseboard's frame rate (5/s), its N graphs in the same grid filling the screen. Points are
  written straight into the file (it has no ingest).

Each series gets one point a second, the N series' points spread evenly over each second (N
independent sources; `--together`: one post a second with all N). Latency, busy time and the
points counted are as wall_page.py and BENCHMARKS.md ("The wall") describe.
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

from playwright.async_api import Browser

from benchmarks import wall_page as wp
from benchmarks.browser import chromium
from benchmarks.data import seed
from benchmarks.many_series import start_profiler, stop_profiler
from benchmarks.servers import BASELINES, PULSEBOARD, Producer, Server, Target
from live.config import DEFAULTS

INTERVAL_EXTEND = BASELINES[1]
SETTLE = 2.0  # seconds after the graphs are drawn before points go out
LAST_POINTS = 30.0  # seconds the points still on their way may take, after the last is sent, to count as drawn
TARGETS_MS = {32: 250.0, 64: 400.0}  # issue 15: p95 under this, and (at 32) every point drawn


@dataclass
class Row:
    """One app at one panel count."""

    app: str
    panels: int
    sent: int
    in_data: int
    drawn: int
    p50: float
    p95: float
    drawn_p50: float
    drawn_p95: float
    arrived_p50: float  # to the frame's arrival in the page (Pulseboard only; 0 for the baseline)
    arrived_p95: float
    busy_ms_per_s: float
    script_ms_per_s: float
    watcher_ms_per_s: float
    load_before: float
    load_after: float
    calls_per_panel_s: dict[str, float]  # the graphs' Plotly calls, per panel per second
    automargin_giveups_per_s: float  # Plotly's console warning "Too many auto-margin redraws."

    @property
    def missed(self) -> int:
        return self.sent - self.drawn


def server(app: str, tmp: Path, series: list[str], window: int) -> Server:
    """Seed a fresh file and start the app on it, showing the series as a wall."""
    folder = tmp / f"{app}-{len(series)}"
    folder.mkdir()
    database = folder / "points.sqlite3"
    seed(database, series, window)
    columns = wp.columns_for(len(series))
    if app == "pulseboard":
        board = wp.dashboards_file(folder / "dashboards.yaml", {"wall": series}, columns)
        env = (("PULSEBOARD_DASHBOARDS", str(board)), ("PULSEBOARD_WINDOW_POINTS", str(window)))
        target = Target(PULSEBOARD.key, PULSEBOARD.label, PULSEBOARD.module, "sse", env)
        rate = 1.0
    else:
        env = (("BASELINE_WINDOW", str(window)), ("BASELINE_COLUMNS", str(columns)))
        target = Target(INTERVAL_EXTEND.key, INTERVAL_EXTEND.label, INTERVAL_EXTEND.module, "poll", env)
        rate = DEFAULTS["FRAME_RATE"]  # ticks as often as Pulseboard sends frames
    return Server(target, database, series, rate, folder / "server.log").start()


async def measure(
    browser: Browser,
    app: str,
    tmp: Path,
    panels: int,
    seconds: float,
    window: int,
    together: bool,
    profile: Path | None = None,
    wide: bool = False,
) -> Row:
    """Open the app's wall, feed every series a point a second for `seconds`; return the row."""
    series = [f"wall.{i:02d}" for i in range(panels)]
    running = server(app, tmp, series, window)
    sent: dict[wp.Key, float] = {}
    warnings: list[str] = []
    try:
        context = await browser.new_context(viewport=wp.VIEWPORT)
        try:
            page = await context.new_page()
            page.on("console", lambda message: warnings.append(message.text) if "auto-margin" in message.text else None)
            await page.goto(running.url + ("/d/wall?kiosk=1" if app == "pulseboard" else "/"))
            if app == "pulseboard":
                await page.wait_for_function(wp.STREAM_OPEN_JS, timeout=120_000)
            await page.wait_for_function(wp.graphs_drawn_js(panels), timeout=120_000)
            await asyncio.sleep(SETTLE)  # the first draws settle
            cdp = await context.new_cdp_session(page)
            await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
            await page.evaluate(wp.WATCH_JS, [series, round(time.time() * 1000)])
            watch = wp.Watch()
            warnings.clear()
            producer = Producer(running)
            load_before = wp.load_average()

            def points(count: int) -> list[tuple[int, str, float]]:
                # Spread: the count-th send is one series' point; together: every series' point.
                chosen = range(panels) if together else [count % panels]
                seq = count if together else count // panels
                return [(index, series[index], wp.value(index, seq, wide)) for index in chosen]

            if profile is not None:
                await start_profiler(cdp)
            before = await wp.metrics(cdp)
            began = time.monotonic()
            feeding = asyncio.create_task(wp.feed(producer, points, 1.0 if together else panels, seconds, sent))
            while not feeding.done():
                await asyncio.sleep(5.0)
                await watch.drain(page)
            await feeding
            after = await wp.metrics(cdp)
            elapsed = time.monotonic() - began
            giveups = len(warnings)
            if profile is not None:
                for line in await stop_profiler(cdp, profile / f"{app}-{panels}.cpuprofile"):
                    print(line, flush=True)
            await watch.wait_drawn(page, sent, LAST_POINTS)
            await producer.close()
        finally:
            await context.close()
    finally:
        running.stop()
    in_data = wp.latencies(sent, watch.data)
    drawn = wp.latencies(sent, watch.drawn)
    arrived = wp.latencies(sent, watch.arrived) or [0.0]
    return Row(
        app=app,
        panels=panels,
        sent=len(sent),
        in_data=len(in_data),
        drawn=len(drawn),
        p50=wp.p(in_data, 50),
        p95=wp.p(in_data, 95),
        drawn_p50=wp.p(drawn, 50),
        drawn_p95=wp.p(drawn, 95),
        arrived_p50=wp.p(arrived, 50),
        arrived_p95=wp.p(arrived, 95),
        busy_ms_per_s=(after["TaskDuration"] - before["TaskDuration"]) / elapsed * 1000,
        script_ms_per_s=(after["ScriptDuration"] - before["ScriptDuration"]) / elapsed * 1000,
        watcher_ms_per_s=watch.watcher_ms / elapsed,
        load_before=load_before,
        load_after=wp.load_average(),
        calls_per_panel_s={k: round(n / panels / elapsed, 2) for k, n in watch.calls.items() if n},
        automargin_giveups_per_s=round(giveups / elapsed, 2),
    )


async def run(
    panel_counts: list[int],
    seconds: float,
    window: int,
    together: bool,
    profile: Path | None,
    wide: bool,
    apps: tuple[str, ...] = ("pulseboard", INTERVAL_EXTEND.key),
) -> list[Row]:
    """Measure both apps at each panel count, one after the other, in one browser."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="pulseboard-wall-") as name:
        async with chromium() as browser:
            for panels in panel_counts:
                for app in apps:
                    row = await measure(browser, app, Path(name), panels, seconds, window, together, profile, wide)
                    print(json.dumps({**asdict(row), "missed": row.missed}), flush=True)
                    rows.append(row)
    return rows


def verdict(row: Row) -> str:
    """Return PASS/FAIL against the issue's target for the row's panel count, or '–' where it has none."""
    target = TARGETS_MS.get(row.panels)
    if target is None:
        return "–"
    ok = row.p95 < target and (row.panels != 32 or row.missed == 0)
    return f"p95 < {target:.0f} ms{', all drawn' if row.panels == 32 else ''}: {'PASS' if ok else 'FAIL'}"


def table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        "| App | Panels | Points sent | Missed | Latency p50 / p95 (frame arrived) | Latency p50 / p95 (in gd.data) "
        "| Latency p50 / p95 (drawn) | Main thread busy ms/s (watcher's own) | Plotly calls per panel per s "
        "| Auto-margin give-ups/s | Load average | Target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        label = "Pulseboard kiosk" if r.app == "pulseboard" else "(b) Interval + extendData"
        calls = ", ".join(f"{name} {count:g}" for name, count in r.calls_per_panel_s.items()) or "none"
        lines.append(
            f"| {label} | {r.panels} | {r.sent:,} | {r.missed} "
            f"| {f'{r.arrived_p50:,.0f} / {r.arrived_p95:,.0f} ms' if r.app == 'pulseboard' else '–'} "
            f"| {r.p50:,.0f} / {r.p95:,.0f} ms "
            f"| {r.drawn_p50:,.0f} / {r.drawn_p95:,.0f} ms | {r.busy_ms_per_s:,.0f} ({r.watcher_ms_per_s:,.0f}) "
            f"| {calls} | {r.automargin_giveups_per_s:g} | {r.load_before:.2f} → {r.load_after:.2f} "
            f"| {verdict(r) if r.app == 'pulseboard' else '–'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wall", description=__doc__.split("\n")[0])
    parser.add_argument("--panels", default="16,32,64", help="panel counts (default 16,32,64; at most 64)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of points per row (default 60)")
    parser.add_argument("--window", type=int, default=1000, help="points per series, seeded full (default 1000)")
    parser.add_argument("--together", action="store_true", help="one post a second with every series' point")
    parser.add_argument(
        "--wide-values", action="store_true", help="values above a million (wide tick labels) instead of 0 to 99"
    )
    parser.add_argument(
        "--profile", default="", help="profile every row with CDP's sampler (figures inflated); .cpuprofile files here"
    )
    parser.add_argument(
        "--apps", default=f"pulseboard,{INTERVAL_EXTEND.key}", help="which apps' rows, in order (default both)"
    )
    args = parser.parse_args(argv)
    apps = tuple(args.apps.split(","))
    if not set(apps) <= {"pulseboard", INTERVAL_EXTEND.key}:
        parser.error(f"--apps: pulseboard and/or {INTERVAL_EXTEND.key}")
    counts = [int(n) for n in args.panels.split(",")]
    if any(not 1 <= n <= 64 for n in counts):
        parser.error("--panels: each count must be 1 to 64 (a dashboard's most panels)")
    began = wp.stamp()
    profile = Path(args.profile) if args.profile else None
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
    rows = asyncio.run(run(counts, args.seconds, args.window, args.together, profile, args.wide_values, apps))
    from benchmarks.many_series import code
    from benchmarks.report import machine  # its Chromium probe is only for the run's description

    print()
    spread = "one post a second with all" if args.together else "spread evenly over each second"
    print(f"Run {began}, {args.seconds:g} s per row, points {spread}, {args.window}-point windows. Code: {code()}.")
    print(machine())
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
