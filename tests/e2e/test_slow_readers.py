"""Slow and dead readers: stalled clients are cut off, by frames or bytes, their connections dropped, memory
(the server's and the kernel's) stays bounded, and they resume later."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.servers import LiveServer, wait_for
from tests.support.slow import SLOW_ENV as ENV
from tests.support.slow import host_tcp_memory, server_sockets
from tests.support.slow import stalled_stream as _stalled
from tests.support.sse import Screen, dechunk, parse_events, read_to_end, read_until_id

STALLED = 200
HEALTHY = 4
BATCHES = 40
# ~170 KB a frame, one frame a batch: the kernel soaks up 2-4 MB per stalled socket (send
# buffers autotune up to tcp_wmem's 4 MB), so 40 frames overflow a 4-frame queue behind it.
BATCH_POINTS = 5000


# The kernel's send buffer a stream's socket may have (STREAM_SEND_BUFFER_BYTES's default, doubled by
# the kernel for its overhead), against tcp_wmem's autotuned 4 MB before.
SEND_BUFFER = 2 * 256 * 1024


def _streams(server: LiveServer) -> int:
    return httpx.get(f"{server.url}/readyz", timeout=5).json()["streams"]


def _held(process: psutil.Process, ports: set[int]) -> set[int]:
    """Return which of these client ports the server still holds a connection (a descriptor) to."""
    return {c.raddr.port for c in process.net_connections("tcp") if c.raddr and c.raddr.port in ports}


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
        tcp_baseline = tcp_peak = host_tcp_memory()
        stalled = [_stalled(server.port) for _ in range(STALLED)]
        ports = {sock.getsockname()[1] for sock in stalled}
        wait_for(lambda: _streams(server) == STALLED + HEALTHY, timeout=60, what="every stream open")
        baseline = peak = process.memory_info().rss
        kernel_peak = 0
        with httpx.Client(timeout=30) as client:
            for batch in range(BATCHES):
                points = [{"series": "big", "value": batch + i / BATCH_POINTS} for i in range(BATCH_POINTS)]
                assert client.post(f"{server.url}/api/points", json=points).status_code == 200
                peak = max(peak, process.memory_info().rss)
                tcp_peak = max(tcp_peak, host_tcp_memory())
                if batch % 10 == 9:
                    held = [s for s in server_sockets(server.port) if s.peer_port in ports]
                    kernel_peak = max(kernel_peak, sum(s.queued for s in held))
                    # Each stream's socket has a capped send buffer (autotuned, it grew to ~4 MB).
                    assert all(s.send_buffer <= SEND_BUFFER for s in held), max(s.send_buffer for s in held)
        # Each stalled subscription overflows and its stream is cut after the grace period, and its
        # connection with it: the server holds no descriptor for it, nor the kernel a buffer.
        wait_for(lambda: _streams(server) == HEALTHY, timeout=60, what="stalled streams to be cut")
        wait_for(lambda: not _held(process, ports), timeout=30, what="the stalled connections to be dropped")
        assert not [s for s in server_sockets(server.port) if s.peer_port in ports], "orphans keep their buffers"
        peak = max(peak, process.memory_info().rss)
        print(
            f"\nRSS with {STALLED} stalled + {HEALTHY} healthy streams, {BATCHES} frames of {BATCH_POINTS} points: "
            f"{baseline / 2**20:.0f} MiB before, {peak / 2**20:.0f} MiB peak; the server's send queues to the "
            f"stalled clients at most {kernel_peak / 2**20:.0f} MiB; host TCP memory {tcp_baseline / 2**20:.0f} "
            f"MiB before, {tcp_peak / 2**20:.0f} MiB peak, {host_tcp_memory() / 2**20:.0f} MiB after the cut"
        )
        # Unbounded, the transports would buffer every frame for every stalled client: 200 x 40 x 170 KB.
        assert peak - baseline < 400 * 2**20
        assert not any(reader.ended.is_set() for reader in healthy), "a healthy stream was cut"

        # The stalled clients read again: what reached them, then the reset; then they resume.
        last_id = str(server.query("SELECT MAX(id) FROM points")[0][0])
        for sock in stalled[:5]:
            raw, how = read_to_end(sock)
            assert how == "reset"
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


@pytest.mark.parametrize("http", ["h11", "httptools"])  # the Procfile's parser, and the one behind a proxy
def test_a_stalled_reader_is_cut_by_bytes_and_its_connection_dropped(tmp_path: Path, http: str) -> None:
    """With room for 1,000 frames but 512 KiB, a stalled stream is cut by bytes: its connection is reset and
    leaves the server (no descriptor, no kernel buffer), while a reader beside it is never cut."""
    env = {**ENV, "PULSEBOARD_STREAM_QUEUE_FRAMES": "1000", "PULSEBOARD_STREAM_QUEUE_BYTES": str(512 * 1024)}
    server = LiveServer(tmp_path, env=env, args=["--timeout-graceful-shutdown", "3", "--http", http]).start()
    process = psutil.Process(server.process.pid)
    reader = Reader(server.url)
    stalled = None
    try:
        assert server.post([{"series": "big", "value": 0.5}]).status_code == 200
        reader.start()
        stalled = _stalled(server.port)
        port = stalled.getsockname()[1]
        wait_for(lambda: _streams(server) == 2, timeout=30, what="both streams open")
        assert _held(process, {port}) == {port}
        with httpx.Client(timeout=30) as client:
            for batch in range(BATCHES):  # 40 frames of ~170 KB: far below 1,000 frames
                points = [{"series": "big", "value": batch + i / BATCH_POINTS} for i in range(BATCH_POINTS)]
                assert client.post(f"{server.url}/api/points", json=points).status_code == 200
        wait_for(lambda: _streams(server) == 1, timeout=60, what="the stalled stream to be cut")
        wait_for(lambda: not _held(process, {port}), timeout=30, what="its connection to be dropped")
        assert port not in {s.peer_port for s in server_sockets(server.port)}, "an orphan keeps its buffers"
        _, how = read_to_end(stalled)
        assert how == "reset"

        last_id = server.query("SELECT MAX(id) FROM points")[0][0]
        wait_for(lambda: f"id: {last_id}\n".encode() in reader.body, timeout=30, what="the reader to have it all")
        assert not reader.ended.is_set(), "the reader was cut"
    finally:
        if stalled is not None:
            stalled.close()
        server.stop()
        reader.join(10)
