"""The benchmark command: options, the run of every scenario, the targets and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser

from benchmarks import browser as browser_scenarios
from benchmarks import ingest, load, report
from benchmarks.servers import BASELINES, LATENCY_TARGETS, PULSEBOARD, TARGETS, Server, Target
from live.config import DEFAULTS

# Baselines update as often as Pulseboard sends frames by default.
UPDATE_RATE = DEFAULTS["FRAME_RATE"]
SCENARIOS = ("protocol", "fanout", "ingest", "latency", "cost")
COST_SERIES = [f"bench.{i}" for i in range(4)]  # four graphs, as on a wall screen


@dataclass
class Options:
    """How long and how large each scenario runs; --quick shrinks all of them to seconds."""

    quick: bool = False
    write: bool = True
    output: Path = Path("BENCHMARKS.md")
    only: tuple[str, ...] = SCENARIOS
    wire_seconds: float = 10.0
    cpu_clients: list[int] = field(default_factory=lambda: [50, 500])
    cpu_seconds: float = 20.0
    fanout_steps: list[int] = field(default_factory=lambda: [1000, 2500, 5000, 7500, 10000])
    fanout_seconds: float = 15.0
    fanout_warmup: float = 20.0
    processes: int = 4
    ingest_batches: int = 41
    minutes: float = 10.0
    baseline_minutes: float = 1.0
    soak_minutes: float = 30.0
    baseline_soak_minutes: float = 2.0
    warmup: float = 30.0
    settle: float = 2.0


def parse(argv: list[str] | None) -> Options:
    """Read the command line into Options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of seconds, every row, figures meaningless")
    parser.add_argument("--no-write", action="store_true", help="print the table; leave BENCHMARKS.md alone")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--minutes", type=float, help="latency run for Pulseboard (default 10)")
    parser.add_argument("--baseline-minutes", type=float, help="latency run for each baseline (default 1)")
    parser.add_argument("--soak-minutes", type=float, help="browser-cost soak for Pulseboard (default 30)")
    parser.add_argument("--baseline-soak-minutes", type=float, help="browser-cost soak per baseline (default 2)")
    parser.add_argument("--cpu-clients", help="comma-separated client counts (default 50,500)")
    parser.add_argument("--cpu-seconds", type=float, help="measuring window per client count (default 20)")
    parser.add_argument("--fanout-steps", help="comma-separated stream counts (default 1000,...,10000)")
    parser.add_argument("--fanout-seconds", type=float, help="frames measured per step, one a second (default 15)")
    parser.add_argument("--fanout-warmup", type=float, help="seconds of frames before a step is measured (default 20)")
    parser.add_argument("--processes", type=int, help="client processes (default 4)")
    parser.add_argument("--ingest-batches", type=int, help="5,000-point batches (default 41, the first a warm-up)")
    args = parser.parse_args(argv)
    options = Options()
    if args.quick:
        options = Options(
            quick=True,
            wire_seconds=2,
            cpu_clients=[5],
            cpu_seconds=2,
            fanout_steps=[10, 20],
            fanout_seconds=2,
            fanout_warmup=1,
            processes=2,
            ingest_batches=3,
            minutes=0.1,
            baseline_minutes=0.05,
            soak_minutes=0.05,
            baseline_soak_minutes=0.03,
            warmup=1,
            settle=0.3,
        )
    options.write = not args.no_write
    options.output = args.output
    options.only = tuple(name for name in args.only.split(",") if name)
    unknown = set(options.only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {sorted(unknown)[0]!r}; choose from {', '.join(SCENARIOS)}")
    for name in ("minutes", "baseline_minutes", "soak_minutes", "baseline_soak_minutes", "cpu_seconds"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    for name in ("fanout_seconds", "fanout_warmup", "processes", "ingest_batches"):
        if getattr(args, name) is not None:
            setattr(options, name, getattr(args, name))
    if args.cpu_clients:
        options.cpu_clients = [int(n) for n in args.cpu_clients.split(",")]
    if args.fanout_steps:
        options.fanout_steps = [int(n) for n in args.fanout_steps.split(",")]
    return options


async def _protocol(options: Options, server: Server) -> load.ProtocolResult:
    return await load.protocol(
        server,
        seconds=options.wire_seconds,
        clients=options.cpu_clients,
        cpu_seconds=options.cpu_seconds,
        processes=options.processes,
        settle=options.settle,
    )


async def _fanout(options: Options, tmp: Path) -> load.Fanout:
    return await load.fanout(
        PULSEBOARD,
        tmp,
        options.fanout_steps,
        seconds=options.fanout_seconds,
        warmup=options.fanout_warmup,
        processes=options.processes,
        settle=options.settle,
    )


def _minutes(options: Options, target: Target, kind: str) -> float:
    baseline = target in BASELINES
    if kind == "latency":
        return options.baseline_minutes if baseline else options.minutes
    return options.baseline_soak_minutes if baseline else options.soak_minutes


async def _full(options: Options, tmp: Path, browser: Browser, results: dict[str, Any]) -> None:
    """Measure one app at a time, each scenario on a fresh server, so nothing shares the machine."""
    if "protocol" in options.only:
        for target in TARGETS:
            log(f"bytes and CPU per update: {target.key}")
            with load.serving(target, tmp) as server:
                results["protocol"][target.key] = await _protocol(options, server)
    if "fanout" in options.only:
        log("fan-out capacity: pulseboard")
        results["fanout"] = await _fanout(options, tmp)
    if "ingest" in options.only:
        log("ingest throughput: pulseboard, JSON then line protocol")
        results["ingest"] = await ingest.ingest(tmp, options.ingest_batches)
    if "latency" in options.only:
        for target in LATENCY_TARGETS:
            minutes = _minutes(options, target, "latency")
            log(f"ingest-to-screen latency, {minutes:g} min: {target.key}")
            with load.serving(target, tmp, rate=UPDATE_RATE) as server:
                results["latency"][target.key] = await browser_scenarios.latency(
                    server, browser, minutes, settle=options.settle
                )
    if "cost" in options.only:
        for target in TARGETS:
            minutes = _minutes(options, target, "cost")
            log(f"browser cost, {minutes:g} min: {target.key}")
            with load.serving(target, tmp, rate=UPDATE_RATE, series=COST_SERIES) as server:
                results["cost"][target.key] = await browser_scenarios.browser_cost(
                    server, browser, minutes, options.warmup
                )


async def _quick(options: Options, tmp: Path, browser: Browser, results: dict[str, Any]) -> None:
    """Run every path once, briefly and all at once: one server per app serves all of its scenarios."""

    async def app(target: Target) -> None:
        with load.serving(target, tmp, rate=UPDATE_RATE, series=COST_SERIES) as server:
            if "protocol" in options.only and target in TARGETS:
                results["protocol"][target.key] = await _protocol(options, server)
            if "latency" in options.only:
                minutes = _minutes(options, target, "latency")
                results["latency"][target.key] = await browser_scenarios.latency(
                    server, browser, minutes, settle=options.settle
                )
            if "cost" in options.only and target in TARGETS:
                minutes = _minutes(options, target, "cost")
                results["cost"][target.key] = await browser_scenarios.browser_cost(
                    server, browser, minutes, options.warmup
                )

    async def fanout() -> None:
        if "fanout" in options.only:
            results["fanout"] = await _fanout(options, tmp)

    async def ingest_() -> None:
        if "ingest" in options.only:
            results["ingest"] = await ingest.ingest(tmp, options.ingest_batches)

    await asyncio.gather(*(app(target) for target in LATENCY_TARGETS), fanout(), ingest_())


async def run_all(options: Options, tmp: Path) -> dict[str, Any]:
    """Run the chosen scenarios and return their results by name."""
    results: dict[str, Any] = {"protocol": {}, "latency": {}, "cost": {}}
    async with browser_scenarios.chromium() as browser:
        await (_quick if options.quick else _full)(options, tmp, browser, results)
    return {name: value for name, value in results.items() if value}


def log(text: str) -> None:
    """Say what runs now, with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def raise_file_limit() -> None:
    """Raise the open-file limit to the hard limit: thousands of streams need thousands of sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table with PASS/FAIL, and write BENCHMARKS.md unless told not to."""
    options = parse(argv)
    raise_file_limit()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="pulseboard-bench-") as folder:
        results = asyncio.run(run_all(options, Path(folder)))
    rows = report.rows(results, options)
    table = report.table(rows)
    print(table)
    if options.write:
        report.write(options.output, table, options, started, time.time())
        print(f"wrote {options.output}")
    return 0
