"""Scenarios with headless protocol clients: bytes per update, server CPU per client, fan-out capacity."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data import seed
from benchmarks.servers import Clients, Producer, Server, Target

SERIES = "bench.0"
CORES = sorted(os.sched_getaffinity(0))


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def stream_path(database: Path) -> str:
    """Return the stream URL a freshly loaded page opens: after the id its graphs stand at."""
    with closing(sqlite3.connect(database)) as db:
        meta = db.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
        (last,) = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'points'").fetchone()
    return f"/api/stream?db={meta[0]}&after={last}" if meta else "/api/stream"


def start(target: Target, tmp: Path, rate: float = 1.0, series: list[str] | None = None, window: int = 1000) -> Server:
    """Seed a fresh database with full windows and start the target on it."""
    names = series or [SERIES]
    folder = tmp / f"{target.key}-{len(list(tmp.iterdir()))}"
    folder.mkdir()
    seed(folder / "points.sqlite3", names, window)
    return Server(target, folder / "points.sqlite3", names, rate, folder / "server.log").start()


@contextmanager
def serving(target: Target, tmp: Path, rate: float = 1.0, series: list[str] | None = None) -> Iterator[Server]:
    """Run the target on a freshly seeded database for the block."""
    server = start(target, tmp, rate, series)
    try:
        yield server
    finally:
        server.stop()


def pin(server: int, clients: list[int]) -> None:
    """Give the server process the first core, and the clients and this process the others."""
    if len(CORES) < 2:
        return
    os.sched_setaffinity(server, CORES[:1])
    for pid in [*clients, os.getpid()]:
        os.sched_setaffinity(pid, CORES[1:])


@contextmanager
def steer_loopback_receive(cores: list[int]) -> Iterator[bool]:
    """Have the kernel receive loopback traffic on `cores` for the block; yield whether it could.

    On loopback the sender's core also does the receiver's TCP work, so a server writing to
    5,000 local clients paid for their receiving too: ~22 µs a write against ~9 µs with this
    (BENCHMARKS.md, Fan-out). With clients on other machines, as in production, it pays only
    for sending. Receive Packet Steering moves that work to the clients' cores; it needs root.
    """
    paths = sorted(Path("/sys/class/net/lo/queues").glob("rx-*/rps_cpus"))
    try:
        saved = [path.read_text() for path in paths]
        for path in paths:
            path.write_text(format(sum(1 << core for core in cores), "x"))
    except OSError:
        yield False
        return
    try:
        yield bool(paths and cores)
    finally:
        for path, text in zip(paths, saved, strict=True):
            path.write_text(text)


def one_point(i: int) -> list[tuple[str, float]]:
    """Return the i-th point of the single benchmark series."""
    return [(SERIES, float(i % 100))]


@dataclass
class WireResult:
    """Bytes per update for one client, both directions, headers and framing included."""

    bytes_per_update: float
    updates: int


async def wire_bytes(server: Server, seconds: float, settle: float) -> WireResult:
    """Count the bytes one screen costs per new point: one point a second, one client, update rate 1/s."""
    clients = Clients(server, 1, 1, record=True, path=stream_path(server.database))
    await clients.open()
    await asyncio.sleep(settle)
    producer = Producer(server)
    await clients.mark()
    sent = await producer.run(one_point, 1.0, seconds)
    await asyncio.sleep(1.2)  # the last point's update comes at most one poll interval later
    tally = await clients.close()
    await producer.close()
    total = tally["bytes_in"] + tally["bytes_out"]
    return WireResult(total / max(sent, 1), tally["updates"])


@dataclass
class CpuResult:
    """Server CPU per client per delivered update, and how many of the due updates were delivered."""

    clients: int
    connected: int
    cpu_us_per_update: float
    delivered: float
    cpu_percent: float


async def cpu_per_update(server: Server, clients: int, seconds: float, processes: int, warmup: float) -> CpuResult:
    """Run `clients` screens at one update a second and divide the server's CPU time by the updates delivered."""
    group = Clients(server, clients, processes, path=stream_path(server.database))
    await group.open()
    producer = Producer(server)
    await producer.run(one_point, 1.0, warmup)
    await group.mark()
    cpu0 = server.cpu_seconds()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    sent = await producer.run(one_point, 1.0, seconds)
    cpu = server.cpu_seconds() - cpu0
    elapsed = loop.time() - t0
    tally = await group.close()
    await producer.close()
    due = group.ready * sent
    return CpuResult(
        clients,
        group.ready,
        cpu / max(tally["updates"], 1) * 1e6,
        tally["updates"] / max(due, 1),
        cpu / elapsed * 100,
    )


@dataclass
class ProtocolResult:
    """Bytes and CPU for one app."""

    wire: WireResult
    cpu: list[CpuResult]


async def protocol(
    server: Server, *, seconds: float, clients: list[int], cpu_seconds: float, processes: int, settle: float
) -> ProtocolResult:
    """Measure bytes per update with one screen, then CPU with each client count."""
    wire = await wire_bytes(server, seconds, settle)
    cpu = [await cpu_per_update(server, n, cpu_seconds, processes, settle * 2) for n in clients]
    return ProtocolResult(wire, cpu)


@dataclass
class FanoutStep:
    """One step of the fan-out test."""

    streams: int
    connected: int
    # From just before the POST to the frame read by a client: with thousands of streams the
    # server writes the frame to them before it answers the POST, so the answer is no start.
    p50_ms: float
    p99_ms: float
    worst_frame_ms: float  # the slowest frame's median: a pause that held every stream up
    delivered: float
    kib_per_stream: float
    cpu_us_per_frame: float  # server CPU (ingest and framing included) per frame delivered to a stream


@dataclass
class Fanout:
    """The fan-out steps, and whether the clients' TCP receive work ran on their own cores."""

    steps: list[FanoutStep]
    receive_steered: bool


async def fanout(
    target: Target, tmp: Path, steps: list[int], *, seconds: float, warmup: float, processes: int, settle: float
) -> Fanout:
    """Step up open streams on one worker at one frame a second; measure delivery latency and memory.

    Each step runs on a fresh server and measures steady state: after its streams opened,
    `warmup` seconds of frames go out first (opening thousands of streams at once leaves
    Python's collector a full pass due, which the first frames set off). The worker gets a
    core of its own, as in production; the clients and the producer share the others, and so
    does the kernel's work of receiving what the worker sends them (`steer_loopback_receive`).
    """
    results: list[FanoutStep] = []
    with steer_loopback_receive(CORES[1:]) as steered:
        for streams in steps:
            step = await _fanout_step(target, tmp, streams, seconds, warmup, processes, settle)
            results.append(step)
            # Go on past a noisy miss (the machine is shared), but not once far past capacity.
            if step.p99_ms >= 1000 or step.connected < streams or step.delivered < 0.99:
                break
    return Fanout(results, steered)


async def _warm(server: Server, settle: float) -> None:
    """Take a point through a few streams and close them, so that one-time costs (lazy imports,
    the store's first statements, the allocator's first arenas) are not counted per stream."""
    group = Clients(server, 50, 1, path=stream_path(server.database))
    await group.open()
    producer = Producer(server)
    await producer.run(one_point, 1.0, 1.0)
    await asyncio.sleep(settle)
    await group.mark()
    await group.close()
    await producer.close()
    await asyncio.sleep(settle)


async def _fanout_step(
    target: Target, tmp: Path, streams: int, seconds: float, warmup: float, processes: int, settle: float
) -> FanoutStep:
    server = start(target, tmp)
    try:
        await _warm(server, settle)
        idle = server.rss()
        group = Clients(server, streams, processes, record=True, path=stream_path(server.database))
        await group.open()
        pin(server.pid, [child.pid for child in group.children])
        await asyncio.sleep(settle)
        rss = server.rss()
        producer = Producer(server)
        await producer.run(one_point, 1.0, warmup)
        producer.sent.clear()
        await group.mark()
        cpu = server.cpu_seconds()
        await producer.run(one_point, 1.0, seconds)
        await asyncio.sleep(1.0)
        cpu = server.cpu_seconds() - cpu
        tally = await group.close()
        await producer.close()
    finally:
        server.stop()
        os.sched_setaffinity(0, CORES)
    events = [(i, t) for i, t in tally["events"] if i in producer.sent]
    latencies = [(t - producer.sent[i]) * 1000 for i, t in events]
    by_frame: dict[int, list[float]] = {}
    for (i, _), ms in zip(events, latencies, strict=True):
        by_frame.setdefault(i, []).append(ms)
    return FanoutStep(
        streams,
        group.ready,
        percentile(latencies, 50),
        percentile(latencies, 99),
        max((percentile(frame, 50) for frame in by_frame.values()), default=float("nan")),
        len(latencies) / max(group.ready * len(producer.sent), 1),
        (rss - idle) / max(group.ready, 1) / 1024,
        cpu / max(len(events), 1) * 1e6,
    )
