"""Healthy clients' frame latency with and without 200 stalled clients beside them (a figure, not a test).

    python -m benchmarks.slow_readers [--stalled 200] [--seconds 15]

Each run: real uvicorn, 4 healthy SSE readers, a probe point posted every 100 ms (latency = the
moment a healthy reader receives the frame holding it minus the moment it was posted) and a
5,000-point batch every 500 ms on another series, so frames are big enough to fill stalled sockets.
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

from tests.support.servers import LiveServer
from tests.support.slow import SLOW_ENV as ENV
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


def run(stalled: int, seconds: float) -> dict[str, float]:
    """Return latency percentiles (ms) and the server's peak RSS (MiB) for one run."""
    server = LiveServer(Path(tempfile.mkdtemp()), env={**ENV, "PULSEBOARD_STREAM_QUEUE_FRAMES": "16"}).start()
    process = psutil.Process(server.process.pid)
    sockets = []
    try:
        server.post({"series": "probe", "value": -1.0})
        readers = [Reader(server.url) for _ in range(HEALTHY)]
        for reader in readers:
            reader.start()
            reader.open.wait(10)
        sockets = [_stalled(server.port) for _ in range(stalled)]
        sent: dict[float, float] = {}
        peak = 0
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
                time.sleep(max(0.0, start + n * 0.1 - time.monotonic()))  # the producer's pace
        time.sleep(1.0)  # let the last frames land before reading the figures
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
        }
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def main() -> None:
    """Run without and with stalled clients and print both."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--stalled", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    for stalled in (0, args.stalled):
        print(json.dumps(run(stalled, args.seconds)))


if __name__ == "__main__":
    main()
