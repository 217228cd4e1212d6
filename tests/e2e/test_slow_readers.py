"""Slow and dead readers: stalled clients are cut off, memory stays bounded, and they resume later."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import psutil

from tests.support.servers import LiveServer, wait_for
from tests.support.slow import SLOW_ENV as ENV
from tests.support.slow import stalled_stream as _stalled
from tests.support.sse import Screen, dechunk, parse_events, read_to_end, read_until_id

STALLED = 200
HEALTHY = 4
BATCHES = 40
# ~170 KB a frame, one frame a batch: the kernel soaks up 2-4 MB per stalled socket (send
# buffers autotune up to tcp_wmem's 4 MB), so 40 frames overflow a 4-frame queue behind it.
BATCH_POINTS = 5000


def _streams(server: LiveServer) -> int:
    return httpx.get(f"{server.url}/readyz", timeout=5).json()["streams"]


class Reader(threading.Thread):
    """A healthy client reading its stream as fast as it comes."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.body = bytearray()
        self.ended = threading.Event()

    def run(self) -> None:
        with httpx.stream("GET", f"{self.url}/api/stream", headers={"Accept": "text/event-stream"}, timeout=30) as r:
            for chunk in r.iter_bytes():
                self.body += chunk
        self.ended.set()


def test_stalled_readers_are_cut_with_bounded_memory_and_resume(tmp_path: Path) -> None:
    """200 clients that never read are cut off while healthy ones stream on; read again, they resume exactly."""
    server = LiveServer(tmp_path, env=ENV).start()
    process = psutil.Process(server.process.pid)
    try:
        assert server.post([{"series": "big", "value": 0.5}]).status_code == 200
        healthy = [Reader(server.url) for _ in range(HEALTHY)]
        for reader in healthy:
            reader.start()
        stalled = [_stalled(server.port) for _ in range(STALLED)]
        wait_for(lambda: _streams(server) == STALLED + HEALTHY, timeout=60, what="every stream open")
        baseline = peak = process.memory_info().rss
        with httpx.Client(timeout=30) as client:
            for batch in range(BATCHES):
                points = [{"series": "big", "value": batch + i / BATCH_POINTS} for i in range(BATCH_POINTS)]
                assert client.post(f"{server.url}/api/points", json=points).status_code == 200
                peak = max(peak, process.memory_info().rss)
        # Each stalled subscription overflows and its stream is cut after the grace period.
        wait_for(lambda: _streams(server) == HEALTHY, timeout=60, what="stalled streams to be cut")
        peak = max(peak, process.memory_info().rss)
        print(
            f"\nRSS with {STALLED} stalled + {HEALTHY} healthy streams, {BATCHES} frames of {BATCH_POINTS} points: "
            f"{baseline / 2**20:.0f} MiB before, {peak / 2**20:.0f} MiB peak"
        )
        # Unbounded, the transports would buffer every frame for every stalled client: 200 x 40 x 170 KB.
        assert peak - baseline < 400 * 2**20
        assert not any(reader.ended.is_set() for reader in healthy), "a healthy stream was cut"

        # The stalled clients read again: what was buffered, then the end; then they resume.
        last_id = str(server.query("SELECT MAX(id) FROM points")[0][0])
        for sock in stalled[:5]:
            raw, how = read_to_end(sock)
            assert how == "eof"
            status, body, _ = dechunk(raw)
            assert status == 200
            screen = Screen()
            for event in parse_events(body):
                screen.apply(event)
            assert screen.last_id != last_id, "a stalled client should not have had everything"
            body = read_until_id(f"{server.url}/api/stream", last_id, {"Last-Event-ID": screen.last_id})
            events = parse_events(body)
            seen = len(screen.kinds)
            for event in events:
                screen.apply(event)
            assert screen.kinds[seen:] == ["frame"], "a cut client should resume, not reset"
            xs, ys = server.window("big", 100000)
            assert screen.traces["big"] == {"x": xs, "y": ys}
    finally:
        for sock in stalled:
            sock.close()
        server.stop()
        for reader in healthy:
            reader.join(10)
