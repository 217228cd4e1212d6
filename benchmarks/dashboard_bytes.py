"""Bytes per second reaching one screen: a dashboard of 8 panels while 500 other series are updated.

    python -m benchmarks.dashboard_bytes [--seconds 40] [--shown 8] [--others 500] [--window 1000]

Not a test: prints a table. One run, one SQLite file seeded with a full window per series, and
three servers on it side by side: Pulseboard with a dashboards file (`bench`: one line panel per
shown series) and the two dcc.Interval baselines (benchmarks/baselines) drawing the same shown
series, one graph each. Every series gets one point a second, all in one POST to Pulseboard; the
baselines read the same file. Four headless clients (benchmarks/clients.py) count the bytes they
read, HTTP heads and chunk framing included: the dashboard's stream, the automatic page's stream
(every series), and a poller of each baseline at 1 s. Counting starts once every client is
connected and has had its first answer, so page loads and the stream's reset are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data import seed
from benchmarks.load import stream_path
from benchmarks.servers import BASELINES, Clients, Producer, Server, Target

DASHBOARD = "bench"
INTERVAL_FIGURE, INTERVAL_EXTEND = BASELINES[0], BASELINES[1]
SETTLE = 2.0  # seconds for every poller's first answer (the whole figures) before counting starts
LAST_FRAME = 0.5  # seconds after the last batch for its frame to arrive


@dataclass(frozen=True)
class Reading:
    """What one screen's client read while the producer ran."""

    label: str
    bytes_in: int
    bytes_out: int
    updates: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.bytes_in / self.seconds


def dashboards_file(path: Path, shown: list[str]) -> Path:
    """Write a dashboards file: one dashboard, one line panel per shown series."""
    panels = [{"title": name, "series": [name], "kind": "line"} for name in shown]
    # JSON is YAML: the file needs no serializer.
    path.write_text(json.dumps({"dashboards": [{"name": DASHBOARD, "title": "Bench", "panels": panels}]}, indent=1))
    return path


def batches(names: list[str]) -> Callable[[int], list[tuple[str, float]]]:
    """Return the producer's batch maker: one point per series, with a decimal, as measurements have."""

    def batch(count: int) -> list[tuple[str, float]]:
        return [(name, ((count * 37 + index * 11) % 1000) / 10) for index, name in enumerate(names)]

    return batch


def with_query(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


async def stop(screens: list[tuple[str, Clients]]) -> None:
    """Kill the client processes this run started, after a failure."""
    for _, group in screens:
        for child in group.children:
            if child.returncode is None:
                child.kill()
                await child.wait()


async def measure(tmp: Path, shown: list[str], others: list[str], seconds: float, window: int) -> list[Reading]:
    """Seed, start the three servers and four clients, produce for `seconds`; return each client's reading."""
    names = shown + others
    database = tmp / "points.sqlite3"
    seed(database, names, window)
    board = dashboards_file(tmp / "dashboards.yaml", shown)
    env = (("PULSEBOARD_DASHBOARDS", str(board)), ("PULSEBOARD_WINDOW_POINTS", str(window)))
    servers: list[Server] = []
    screens: list[tuple[str, Clients]] = []
    try:
        pulseboard = Server(
            Target("pulseboard", "Pulseboard", "app:server", "sse", env), database, names, 1.0, tmp / "pb.log"
        )
        servers.append(pulseboard)  # listed before it starts: stopped even if it never answers
        pulseboard.start()
        for target in (INTERVAL_FIGURE, INTERVAL_EXTEND):
            baseline = Target(
                target.key, target.label, target.module, target.protocol, (("BASELINE_WINDOW", str(window)),)
            )
            servers.append(Server(baseline, database, shown, 1.0, tmp / f"{target.key}.log"))
            servers[-1].start()
        stream = stream_path(database)  # as a freshly loaded page opens it: after the id its graphs stand at
        screens = [
            (
                f"Pulseboard, dashboard of {len(shown)} line panels",
                Clients(pulseboard, 1, 1, path=with_query(stream, f"dashboard={DASHBOARD}")),
            ),
            (f"Pulseboard, automatic page (all {len(names)} series)", Clients(pulseboard, 1, 1, path=stream)),
            (f"{INTERVAL_FIGURE.label}, {len(shown)} graphs", Clients(servers[1], 1, 1, interval=1.0)),
            (f"{INTERVAL_EXTEND.label}, {len(shown)} graphs", Clients(servers[2], 1, 1, interval=1.0)),
        ]
        for _, group in screens:
            await group.open()
        await asyncio.sleep(SETTLE)
        producer = Producer(pulseboard)
        loop = asyncio.get_running_loop()
        for _, group in screens:
            await group.mark()
        started = loop.time()
        try:
            await producer.run(batches(names), 1.0, seconds)
        finally:
            await producer.close()
        await asyncio.sleep(LAST_FRAME)
        tallies = [await group.close() for _, group in screens]
        elapsed = loop.time() - started
    except BaseException:
        await stop(screens)
        raise
    finally:
        for server in reversed(servers):
            server.stop()
    return [
        Reading(label, tally["bytes_in"], tally["bytes_out"], tally["updates"], elapsed)
        for (label, _), tally in zip(screens, tallies, strict=True)
    ]


def table(readings: list[Reading]) -> str:
    """Return the readings as a Markdown table, each against the dashboard's stream."""
    dashboard = readings[0].per_second
    lines = [
        "| Screen | Bytes/s received | Bytes/s sent | Updates received | Against the dashboard |",
        "|---|---|---|---|---|",
    ]
    for reading in readings:
        ratio = reading.per_second / dashboard if dashboard else float("inf")
        lines.append(
            f"| {reading.label} | {reading.per_second:,.0f} | {reading.bytes_out / reading.seconds:,.0f} "
            f"| {reading.updates} | {ratio:,.1f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_bytes", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the producer runs (default 40)")
    parser.add_argument("--shown", type=int, default=8, help="series on the dashboard, one panel each (default 8)")
    parser.add_argument("--others", type=int, default=500, help="series updated but not shown (default 500)")
    parser.add_argument("--window", type=int, default=1000, help="points per series, seeded full (default 1000)")
    args = parser.parse_args(argv)
    shown = [f"shown.{i}" for i in range(args.shown)]
    others = [f"other.{i}" for i in range(args.others)]
    with tempfile.TemporaryDirectory() as name:
        readings = asyncio.run(measure(Path(name), shown, others, args.seconds, args.window))
    print(
        f"{args.shown} shown + {args.others} other series, one point each a second for {args.seconds:g} s "
        f"({readings[0].seconds:.1f} s counted), {args.window}-point windows"
    )
    print(table(readings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
