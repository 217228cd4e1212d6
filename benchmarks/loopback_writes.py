"""What the kernel alone charges a sender for one small write to each of N loopback sockets (a figure, not a test).

    python -m benchmarks.loopback_writes [--sockets 5000] [--steer]

One uvloop process accepts N connections from a reader process and writes one 160-byte chunk
(an SSE frame's size) to each, five times; it prints the sender's CPU time per write. With
--steer (root), the kernel's loopback receive work runs on the reader's core (RPS), as it would
on the reader's own machine. No Python framework is involved: this is the floor under
Pulseboard's fan-out (BENCHMARKS.md, Fan-out).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time

import uvloop

from benchmarks.load import CORES, steer_loopback_receive
from benchmarks.run import raise_file_limit

CHUNK = b"9b\r\n" + b"x" * 155 + b"\r\n"
READER = """
import asyncio, resource, sys, uvloop
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
class Sink(asyncio.Protocol):
    def data_received(self, data): pass
async def main(port, count):
    loop = asyncio.get_running_loop()
    for _ in range(count):
        await loop.create_connection(Sink, "127.0.0.1", port)
    print("ready", flush=True)
    await asyncio.sleep(3600)
uvloop.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


async def measure(sockets: int) -> list[float]:
    """Return the sender's CPU microseconds per write, for five rounds of one write per socket."""
    loop = asyncio.get_running_loop()
    transports: list[asyncio.Transport] = []

    class Keep(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            transports.append(transport)  # type: ignore[arg-type]  # a TCP transport

    server = await loop.create_server(Keep, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(port), str(sockets)], stdout=subprocess.PIPE)
    try:
        assert reader.stdout is not None
        await loop.run_in_executor(None, reader.stdout.readline)
        if len(CORES) > 1:
            os.sched_setaffinity(0, CORES[:1])
            os.sched_setaffinity(reader.pid, CORES[1:])
        rounds = []
        for _ in range(5):
            started = time.process_time()
            for transport in transports:
                transport.write(CHUNK)
            rounds.append((time.process_time() - started) / len(transports) * 1e6)
            await asyncio.sleep(1)
        return rounds
    finally:
        reader.kill()
        server.close()


def main() -> None:
    """Parse the arguments, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--steer", action="store_true", help="receive work on the reader's core (needs root)")
    args = parser.parse_args()
    raise_file_limit()
    if args.steer:
        with steer_loopback_receive(CORES[1:]) as steered:
            rounds = uvloop.run(measure(args.sockets))
    else:
        steered, rounds = False, uvloop.run(measure(args.sockets))
    where = "the reader's core" if steered else "the sender's core"
    print(
        f"{args.sockets} writes a round, receive work on {where}: " + ", ".join(f"{r:.1f}" for r in rounds) + " µs each"
    )


if __name__ == "__main__":
    main()
