"""Fan-out on two hosts (issue 18): streams held per host on one PostgreSQL database and one Redis hub,
p99 frame delivery from just before the POST, by the method of BENCHMARKS.md's one-worker row.

    python -m benchmarks.hosts_fanout [--streams 1000] [--seconds 15] [--warmup 10]

Two uvicorn processes (one worker each) stand for two hosts; the same number of SSE clients hold
streams to each, in client processes of their own; one point a second is POSTed to host A, and
every stream on either host should get its frame. Both hosts, PostgreSQL, Redis and the clients
share this machine's cores, unlike two real hosts: the figure is a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
from pathlib import Path

from benchmarks.load import SERIES, one_point, percentile
from benchmarks.servers import Clients, Producer, Server, Target
from tests.support.deploy import RedisServer
from tests.support.postgres import SERVER, fresh_database


async def measure(streams: int, seconds: float, warmup: float, server: str) -> dict[str, object]:
    """Return per host: streams open, p50/p99 delivery (ms) and the share of frames delivered."""
    with tempfile.TemporaryDirectory() as name, fresh_database(server) as url:
        tmp = Path(name)
        redis = RedisServer(tmp).start()
        env = (("PULSEBOARD_DATABASE", url), ("PULSEBOARD_HUB_URL", redis.url))
        target = Target("pulseboard-host", "Pulseboard on PostgreSQL + Redis", "app:server", "sse", env)
        hosts = [Server(target, tmp / f"host{i}.sqlite3", [SERIES], 1.0, tmp / f"host{i}.log") for i in range(2)]
        groups: list[Clients] = []
        producer: Producer | None = None
        try:
            for host in hosts:
                host.start()
            groups = [Clients(host, streams, 1, record=True) for host in hosts]
            for group in groups:
                await group.open()
            producer = Producer(hosts[0])
            await producer.run(one_point, 1.0, warmup)
            producer.sent.clear()
            for group in groups:
                await group.mark()
            await producer.run(one_point, 1.0, seconds)
            await asyncio.sleep(1.0)  # the last frame's way to every stream
            tallies = [await group.close() for group in groups]
            groups = []
        finally:
            try:
                for group in groups:  # left open by a failure: their processes go, whatever they say
                    with contextlib.suppress(OSError, RuntimeError):
                        await group.close()
                if producer is not None:
                    await producer.close()
            finally:
                for host in hosts:
                    host.stop()
                redis.stop()
    result: dict[str, object] = {"streams_per_host": streams, "frames": len(producer.sent)}
    for label, tally in zip(("a", "b"), tallies, strict=True):
        events = [(i, t) for i, t in tally["events"] if i in producer.sent]
        latencies = [(t - producer.sent[i]) * 1000 for i, t in events]
        result[label] = {
            "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "delivered": len(latencies) / max(streams * len(producer.sent), 1),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000, help="streams per host")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--server", default=SERVER, help="the PostgreSQL server's maintenance database URL")
    options = parser.parse_args()
    f = asyncio.run(measure(options.streams, options.seconds, options.warmup, options.server))
    print(json.dumps(f))
    a, b = f["a"], f["b"]
    print(
        f"| Fan-out on 2 hosts (PostgreSQL + Redis), {f['streams_per_host']:,} streams per host, 1 frame/s"
        f" | host A (POSTed to): p50 {a['p50_ms']:.0f}, p99 {a['p99_ms']:.0f} ms, {a['delivered']:.1%} delivered;"
        f" host B: p50 {b['p50_ms']:.0f}, p99 {b['p99_ms']:.0f} ms, {b['delivered']:.1%} delivered |"
    )


if __name__ == "__main__":
    main()
