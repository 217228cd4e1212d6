"""Shutdown with open streams: SIGTERM ends every stream cleanly and the process exits."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.support.servers import LiveServer, live_server, wait_for
from tests.support.sse import Screen, dechunk, open_stream, parse_events, read_to_end, read_until_id

STREAMS = 500


def _streams(server: LiveServer) -> int:
    return httpx.get(f"{server.url}/readyz", timeout=5).json()["streams"]


def test_sigterm_ends_500_streams_cleanly_and_screens_resume_on_the_next_process(tmp_path: Path) -> None:
    """Each open stream gets its terminating chunk (no reset), the process exits, and a screen resumes after it."""
    server = LiveServer(tmp_path).start()
    try:
        assert server.post([{"series": "cpu", "value": v} for v in range(5)]).status_code == 200
        sockets = [open_stream(server.port) for _ in range(STREAMS)]
        wait_for(lambda: _streams(server) == STREAMS, timeout=60, what=f"{STREAMS} open streams")
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(10)  # a behaviour deadline: without the fix it never exits
        print(f"\nexit {time.monotonic() - started:.2f} s after SIGTERM with {STREAMS} open streams")
        endings = [read_to_end(sock) for sock in sockets]
        for sock in sockets:
            sock.close()
        assert [how for _, how in endings].count("eof") == STREAMS
        answers = [dechunk(raw) for raw, _ in endings]
        assert all(status == 200 and complete for status, _, complete in answers), "a stream did not end cleanly"

        # The screen that stream fed comes back on the next process without a reload.
        screen = Screen()
        for event in parse_events(answers[0][1]):
            screen.apply(event)
        assert screen.kinds == ["reset"]
        server.start()
        assert server.post([{"series": "cpu", "value": v} for v in range(5, 8)]).status_code == 200
        assert server.post([{"series": "mem", "value": 1.5}]).status_code == 200
        last_id = str(server.query("SELECT MAX(id) FROM points")[0][0])
        events = parse_events(read_until_id(f"{server.url}/api/stream", last_id, {"Last-Event-ID": screen.last_id}))
        for event in events:
            screen.apply(event)
        assert screen.kinds[1:] == ["frame"] * len(events), "the next process should resume, not reset"
        for series in ("cpu", "mem"):
            xs, ys = server.window(series, 1000)
            assert screen.traces[series] == {"x": xs, "y": ys}
    finally:
        server.stop()


def test_reload_supervisor_exits_with_open_streams(tmp_path: Path) -> None:
    """`uvicorn --reload` with open streams stops on SIGTERM instead of hanging."""
    watched = tmp_path / "watched"
    watched.mkdir()
    with live_server(tmp_path, args=["--reload", "--reload-dir", str(watched)]) as server:
        sockets = [open_stream(server.port) for _ in range(3)]
        wait_for(lambda: _streams(server) == 3, timeout=20, what="3 open streams")
        assert server.stop(signal.SIGTERM, timeout=10) == 0
        for sock in sockets:
            raw, how = read_to_end(sock)
            sock.close()
            assert how == "eof" and dechunk(raw)[2], "a stream did not end cleanly"
