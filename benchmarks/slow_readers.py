"""Healthy clients' frame latency, and the memory stalled clients hold, with and without 300 stalled clients
beside them (figures, not a test).

    python -m benchmarks.slow_readers [--stalled 300] [--seconds 60]

Each run: real uvicorn at the default settings, 4 healthy SSE readers, a probe point posted every
100 ms (latency = the moment a healthy reader receives the frame holding it minus the moment it was
posted) and a 5,000-point batch every 500 ms on another series, so frames are big enough to fill
stalled sockets: 10 batches a second. Memory: the host's TCP buffers (/proc/net/sockstat, "TCP: mem",
host-wide: run it on an idle machine) before the stalled clients connect, at its peak, at the end
(the stalled clients still connected, never reading) and once they have closed their sockets; the
server's open file descriptors at the end; and when the server had cut the last stalled stream.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from tests.support.servers import LiveServer, wait_for
from tests.support.slow import host_tcp_memory, server_sockets
from tests.support.slow import stalled_stream as _stalled

HEALTHY = 4


class Reader(threading.Thread):
    """Reads a stream and notes when each probe value arrives."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.arrived: dict[float, float] = {}
        self.open = threading.Event()

    def run(self) -> None:
        buffer = b""
        with httpx.stream("GET", f"{self.url}/api/stream", headers={"Accept": "text/event-stream"}, timeout=60) as r:
            self.open.set()
            for chunk in r.iter_bytes():
                now = time.monotonic()
                buffer += chunk
                *events, buffer = buffer.split(b"\n\n")
                for event in events:
                    for line in event.split(b"\n"):
                        if line.startswith(b"data: "):
                            update = json.loads(line[6:]).get("updates", {}).get("probe")
                            for value in (update or {}).get("y", []):
                                self.arrived.setdefault(value, now)


def _mib(size: float) -> float:
    return round(size / 2**20, 1)


def run(stalled: int, seconds: float) -> dict[str, float | None]:
    """Return latency percentiles (ms), the server's peak RSS and the host's TCP memory (MiB) for one run."""
    server = LiveServer(Path(tempfile.mkdtemp())).start()
    process = psutil.Process(server.process.pid)
    sockets = []
    try:
        server.post({"series": "probe", "value": -1.0})
        readers = [Reader(server.url) for _ in range(HEALTHY)]
        for reader in readers:
            reader.start()
            reader.open.wait(10)
        tcp_base = tcp_peak = host_tcp_memory()
        sockets = [_stalled(server.port) for _ in range(stalled)]
        wait_for(lambda: len(server_sockets(server.port)) >= HEALTHY + stalled, timeout=60, what="every stream")
        sent: dict[float, float] = {}
        peak = 0
        cut_after = None
        with httpx.Client(timeout=30) as client:
            start = time.monotonic()
            n = 0
            while time.monotonic() - start < seconds:
                n += 1
                value = float(n)
                sent[value] = time.monotonic()
                client.post(f"{server.url}/api/points", json={"series": "probe", "value": value})
                if n % 5 == 0:
                    big = [{"series": "big", "value": i / 7} for i in range(5000)]
                    client.post(f"{server.url}/api/points", json=big)
                peak = max(peak, process.memory_info().rss)
                tcp_peak = max(tcp_peak, host_tcp_memory())
                if stalled and cut_after is None and n % 10 == 0:
                    streams = client.get(f"{server.url}/readyz").json()["streams"]
                    cut_after = time.monotonic() - start if streams == HEALTHY else None
                time.sleep(max(0.0, start + n * 0.1 - time.monotonic()))  # the producer's pace
        time.sleep(1.0)  # let the last frames land before reading the figures
        tcp_end = host_tcp_memory()
        fds_end = process.num_fds()
        for sock in sockets:
            sock.close()
        time.sleep(2.0)  # the kernel frees closed sockets' buffers
        tcp_closed = host_tcp_memory()
        latencies = [
            (reader.arrived[value] - at) * 1000
            for reader in readers
            for value, at in sent.items()
            if value in reader.arrived
        ]
        missing = sum(value not in reader.arrived for reader in readers for value in sent)
        quantiles = statistics.quantiles(latencies, n=100)
        return {
            "stalled": stalled,
            "probes": len(sent),
            "missing": missing,
            "p50_ms": round(quantiles[49], 1),
            "p95_ms": round(quantiles[94], 1),
            "max_ms": round(max(latencies), 1),
            "peak_rss_mib": round(peak / 2**20),
            "tcp_base_mib": _mib(tcp_base),
            "tcp_peak_mib": _mib(tcp_peak),
            "tcp_end_mib": _mib(tcp_end),
            "tcp_closed_mib": _mib(tcp_closed),
            "server_fds_end": fds_end,
            "stalled_cut_within_s": None if cut_after is None else round(cut_after),
        }
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def main() -> None:
    """Run without and with stalled clients and print both."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--stalled", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    for stalled in (0, args.stalled):
        print(json.dumps(run(stalled, args.seconds)))


if __name__ == "__main__":
    main()
