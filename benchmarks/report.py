"""The results table with its targets, and BENCHMARKS.md around it."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

from benchmarks.load import CORES
from benchmarks.servers import TARGETS
from live.config import DEFAULTS

START = "<!-- results: written by `python -m benchmarks`; edits between these markers are lost -->"
END = "<!-- end of results -->"
FANOUT_TARGET = 5000


@dataclass
class Row:
    """One line of the table: a figure per app, the target and whether it was met."""

    scenario: str
    figures: dict[str, str]
    target: str = ""
    verdict: str = ""


def fmt(value: float, digits: int = 0, unit: str = "") -> str:
    """Format a figure, or a dash where it was not measured."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}{unit}"


def verdict(ok: bool) -> str:
    """Return PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def times(reference: float, ours: float) -> float:
    """Return how many times less ours is than the reference; 0 where ours measured nothing.

    A short --quick window can see no CPU time or no update at all: that is no figure, not a crash.
    """
    return reference / ours if ours > 0 else 0.0


def _protocol_rows(protocol: dict[str, Any]) -> list[Row]:
    rows = []
    wire = {key: result.wire for key, result in protocol.items()}
    ratio = times(wire["interval-figure"].bytes_per_update, wire["pulseboard"].bytes_per_update)
    rows.append(
        Row(
            "Bytes on the wire per single-point update, 1,000-point window (both directions, headers included)",
            {key: fmt(w.bytes_per_update, 0, " B") for key, w in wire.items()},
            f"≥100× fewer than (a): {ratio:,.1f}×",
            verdict(ratio >= 100),
        )
    )
    counts = [cpu.clients for cpu in protocol["pulseboard"].cpu]
    for i, clients in enumerate(counts):
        cpus = {key: result.cpu[i] for key, result in protocol.items()}
        ratio = times(cpus["interval-figure"].cpu_us_per_update, cpus["pulseboard"].cpu_us_per_update)
        rows.append(
            Row(
                f"Server CPU per client per update, {clients} clients at 1 update/s (delivered share; server CPU %)",
                {
                    key: f"{fmt(c.cpu_us_per_update, 0, ' µs')} ({fmt(c.delivered * 100, 0, '%')}; "
                    f"{fmt(c.cpu_percent, 0, '%')})"
                    for key, c in cpus.items()
                },
                f"≥20× lower than (a): {ratio:,.1f}×",
                verdict(ratio >= 20 and cpus["pulseboard"].delivered >= 0.99),
            )
        )
    return rows


def _fanout_rows(fanout: Any) -> list[Row]:
    steps = fanout.steps
    held = [s for s in steps if s.p99_ms < 250 and s.connected == s.streams and s.delivered >= 0.99]
    best = max((s.streams for s in held), default=0)
    detail = "; ".join(
        f"{s.streams}: p50 {fmt(s.p50_ms, 0)}, p99 {fmt(s.p99_ms, 0)} ms, slowest frame's p50 "
        f"{fmt(s.worst_frame_ms, 0)} ms, "
        f"{fmt(s.delivered * 100, 1)}% delivered, "
        f"{fmt(s.kib_per_stream, 1)} KiB, {fmt(s.cpu_us_per_frame, 0)} µs CPU per frame per stream"
        for s in steps
    )
    # Memory at the target's count where that step ran, else at the largest that connected.
    connected = [s for s in steps if s.connected == s.streams] or steps[:1]
    sized = next((s for s in connected if s.streams == FANOUT_TARGET), connected[-1])
    receive = (
        "clients' TCP receive work on their own core"
        if fanout.receive_steered
        else "loopback receive on the worker's core"
    )
    return [
        Row(
            # From just before the POST: with thousands of streams the server writes the frame to
            # them before it answers the POST, so "from the answer" would flatter it.
            f"Fan-out: most streams one worker holds at 1 frame/s with p99 delivery < 250 ms, from just before "
            f"the POST to the client ({receive}; steps: {detail})",
            {"pulseboard": f"{best:,}"},
            f"≥{FANOUT_TARGET:,}",
            verdict(best >= FANOUT_TARGET),
        ),
        Row(
            f"Server memory per open stream (at {sized.streams:,} streams)",
            {"pulseboard": fmt(sized.kib_per_stream, 1, " KiB")},
            "≤25 KB",
            verdict(sized.kib_per_stream * 1024 <= 25_000),
        ),
    ]


def _ingest_rows(result: Any) -> list[Row]:
    return [
        Row(
            f"Ingest, 5,000-point batches into one worker (raw sqlite3 executemany of the same rows: "
            f"{fmt(result.raw_points_s, 0)} points/s; {result.points:,} points)",
            {"pulseboard": f"{fmt(result.http_points_s, 0)} points/s ({fmt(result.ratio * 100, 0)}% of raw)"},
            "≥40% of raw",
            verdict(result.ratio >= 0.40),
        ),
        Row(
            "Ingest, line protocol: the same batches to /api/v2/write, in the same run (issue 16)",
            {
                "pulseboard": f"{fmt(result.lines_points_s, 0)} points/s "
                f"({fmt(result.lines_ratio * 100, 0)}% of JSON's {fmt(result.http_points_s, 0)})"
            },
            "≥60% of the JSON path",
            verdict(result.lines_ratio >= 0.60),
        ),
    ]


def _latency_rows(latency: dict[str, Any]) -> list[Row]:
    def figures(r: Any) -> str:
        return f"{fmt(r.p50)} / {fmt(r.p95)} / {fmt(r.p99)} ms ({r.seen}/{r.points} drawn, {r.minutes:g} min)"

    def drift(r: Any) -> str:
        first, last = r.first_last_p95 if r.by_minute else (math.nan, math.nan)
        return f"{fmt(first)} → {fmt(last)} ms (min 1 → min {len(r.by_minute)})"

    def grew(r: Any) -> bool:
        first, last = r.first_last_p95 if r.by_minute else (math.nan, math.nan)
        return not last <= first * 1.2

    shown = {key: r for key, r in latency.items() if key != "pulseboard-fast"}
    pb = latency["pulseboard"]
    rows = [
        Row(
            "Ingest-to-screen latency in headless Chromium at 10 points/s, default settings "
            f"({DEFAULTS['FRAME_RATE']:g} frames/s, {DEFAULTS['ANIMATION_MS']} ms animation; baselines update "
            f"{DEFAULTS['FRAME_RATE']:g}×/s): p50 / p95 / p99",
            {key: figures(r) for key, r in shown.items()},
            f"p95 < 250 ms, every point drawn: {fmt(pb.p95)} ms",
            verdict(pb.p95 < 250 and pb.seen == pb.points),
        )
    ]
    fast = latency.get("pulseboard-fast")
    if fast is not None:
        rows.append(
            Row(
                "The same, Pulseboard with PULSEBOARD_FRAME_RATE=10, PULSEBOARD_ANIMATION_MS=0",
                {"pulseboard": figures(fast)},
                f"p95 < 250 ms, every point drawn: {fmt(fast.p95)} ms",
                verdict(fast.p95 < 250 and fast.seen == fast.points),
            )
        )
    rows += [
        Row(
            "Latency p95, first minute → last minute"
            + (f" (Pulseboard with the faster settings: {drift(fast)})" if fast is not None else ""),
            {key: drift(r) for key, r in shown.items()},
            "last ≤ first + 20%",
            verdict(not grew(pb) and (fast is None or not grew(fast))),
        ),
        Row(
            "Bytes per frame as the browser received it (SSE event, without chunk framing), at 10 points/s",
            {"pulseboard": fmt(pb.frame_bytes, 0, " B")},
        ),
    ]
    return rows


def _cost_rows(cost: dict[str, Any]) -> list[Row]:
    pb = cost["pulseboard"]
    return [
        Row(
            "Browser main-thread busy time, 4 animated 1,000-point graphs at 4 points/s each (task / script)",
            {key: f"{fmt(c.busy_ms_per_s)} / {fmt(c.script_ms_per_s)} ms per s" for key, c in cost.items()},
        ),
        Row(
            "JS heap after GC, start → end of soak (growth)",
            {
                key: f"{fmt(c.heap_start_mb, 1)} → {fmt(c.heap_end_mb, 1)} MiB ({fmt(c.heap_growth * 100, 1, '%')}, "
                f"{c.minutes:g} min)"
                for key, c in cost.items()
            },
            f"growth < 10%: {fmt(pb.heap_growth * 100, 1, '%')}",
            verdict(pb.heap_growth < 0.10),
        ),
    ]


def rows(results: dict[str, Any], options: Any) -> list[Row]:
    """Return the table's rows for whatever scenarios ran."""
    out: list[Row] = []
    if "protocol" in results:
        out += _protocol_rows(results["protocol"])
    if "fanout" in results:
        out += _fanout_rows(results["fanout"])
    if "ingest" in results:
        out += _ingest_rows(results["ingest"])
    if "latency" in results:
        out += _latency_rows(results["latency"])
    if "cost" in results:
        out += _cost_rows(results["cost"])
    if options.quick:
        for row in out:
            row.verdict = f"{row.verdict} (quick: not a measurement)" if row.verdict else ""
    return out


def table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table."""
    heads = ["Scenario", *(t.label for t in TARGETS), "Target", "Result"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in rows:
        cells = [row.scenario, *(row.figures.get(t.key, "–") for t in TARGETS), row.target or "–", row.verdict or "–"]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    """Describe the machine, the versions and the load at the time of the run."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    packages = ", ".join(f"{name} {version(name)}" for name in ("dash", "quart", "uvicorn", "aiosqlite", "plotly"))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"- Machine: {cpu}, {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
        f"{platform.platform()}\n"
        f"- Python {platform.python_version()}; {packages}; {chromium or 'chromium ?'}\n"
        f"- Load average at the end of the run (1, 5, 15 min): {load}"
    )


def settings(options: Any) -> str:
    """Describe the durations and sizes the run used."""
    o = options
    return (
        f"- Mode: {'QUICK smoke run: figures are not measurements' if o.quick else 'full'}\n"
        f"- Bytes: {o.wire_seconds:g} points at 1/s, one client. CPU: {', '.join(map(str, o.cpu_clients))} clients, "
        f"{o.cpu_seconds:g} s each, in {o.processes} client processes.\n"
        f"- Fan-out: steps {', '.join(map(str, o.fanout_steps))} streams, each on a fresh server, "
        f"{o.fanout_warmup:g} s of warm-up frames, then {o.fanout_seconds:g} frames measured "
        f"(goes on past a miss, stops once p99 passes 1 s or a stream is lost); the worker pinned to one core, "
        f"clients and producer to the other{'s' if len(CORES) > 2 else ''}.\n"
        f"- Ingest: {o.ingest_batches} batches of 5,000 points (the first a warm-up), 4 concurrent senders; "
        "as JSON, then the same rows as line protocol (one line a point, ns timestamps), each on a fresh database.\n"
        f"- Latency: Pulseboard {o.minutes:g} min, each baseline {o.baseline_minutes:g} min, 10 points/s.\n"
        f"- Browser cost: Pulseboard {o.soak_minutes:g} min, each baseline {o.baseline_soak_minutes:g} min, "
        f"after {o.warmup:g} s warm-up."
    )


def write(path: Path, table_text: str, options: Any, started: float, ended: float) -> None:
    """Put the results between the markers of BENCHMARKS.md, keeping the hand-written text around them."""
    when = f"{datetime.fromtimestamp(started, UTC):%Y-%m-%d %H:%M} to {datetime.fromtimestamp(ended, UTC):%H:%M} UTC"
    block = f"{START}\n\n_Run {when}._\n\n{machine()}\n{settings(options)}\n\n{table_text}\n\n{END}"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(head + block + tail)
