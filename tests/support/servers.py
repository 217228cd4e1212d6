"""Real servers for tests and benchmarks: uvicorn on a free port, and a headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PULSEBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Wall screens are often unfocused: frames must still be drawn.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
T = TypeVar("T")


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.02, what: str = "") -> T:
    """Return condition()'s first truthy value, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)


class LiveServer:
    """`uvicorn app:server` in a child process, with its own database file."""

    def __init__(
        self,
        tmp: Path,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        target: str = "app:server",
        cwd: Path = ROOT,  # another app's folder: a host app that embeds Pulseboard
    ) -> None:
        self.cwd = cwd
        self.port = free_port()
        self.target = target
        self.database = str(tmp / "pulseboard.sqlite3")
        self.env = {
            **os.environ,
            "PULSEBOARD_DATABASE": self.database,
            "PULSEBOARD_FEED": "false",
            **(env or {}),
        }
        # As the Procfile: uvicorn would otherwise wait forever on open streams at shutdown.
        self.args = args if args is not None else ["--timeout-graceful-shutdown", "3"]
        self.prefix = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"uvicorn-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def start(self) -> LiveServer:
        """Start uvicorn and wait until it answers /healthz."""
        command = [sys.executable, "-m", "uvicorn", self.target, "--port", str(self.port), *self.args]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"uvicorn exited: {self.log.read_text()[-3000:]}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=30, what="uvicorn to answer /healthz")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal uvicorn and wait for it to exit; return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"uvicorn did not exit within {timeout} s of signal {sig}") from None
        return self.process.returncode

    def post(self, points: Any, **kwargs: Any) -> httpx.Response:
        """POST a batch to /api/points."""
        return httpx.post(f"{self.url}/api/points", json=points, timeout=10, **kwargs)

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Read the server's database directly (WAL lets us read beside it)."""
        with sqlite3.connect(self.database, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    def execute(self, sql: str, rows: list[tuple]) -> None:
        """Write to the server's database directly, as another process sharing the file would."""
        with sqlite3.connect(self.database, timeout=10) as db:
            db.executemany(sql, rows)

    def window(
        self, series: str, limit: int, labels: str = "", upto: int | None = None
    ) -> tuple[list[int], list[float]]:
        """Return the series' newest `limit` points by (ts, id) as the page draws them, oldest first: (x ms, y).

        `upto`: as of that event id (the window a screen at that cursor holds).
        """
        rows = self.query(
            "SELECT p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id"
            " WHERE s.name = ? AND s.labels = ? AND p.id <= ? ORDER BY p.ts DESC, p.id DESC LIMIT ?",
            (series, labels, upto if upto is not None else 2**63 - 1, limit),
        )
        rows.reverse()
        return [round(ts * 1000) for ts, _ in rows], [value for _, value in rows]


@contextmanager
def live_server(tmp: Path, env: dict[str, str] | None = None, args: list[str] | None = None) -> Iterator[LiveServer]:
    """Run a LiveServer for the block."""
    server = LiveServer(tmp, env, args).start()
    try:
        yield server
    finally:
        server.stop()


# The lines as the user sees them, by series key: {x, y, name, panel, title, shownTitle, yaxis,
# xrange, yrange}, read from each graph's gd (a trace's key is in its meta).
GRAPHS_JS = """() => {
    const out = {};
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        if (!gd.data || !gd.layout) continue;
        const id = JSON.parse(gd.parentElement.id || gd.parentElement.parentElement.id);
        gd.data.forEach((trace) => {
            if (trace.meta === undefined) return;
            out[trace.meta] = {
                x: Array.from(trace.x || []),
                y: Array.from(trace.y || []),
                name: trace.name,
                panel: id.panel,
                title: gd.layout.title && gd.layout.title.text,
                shownTitle: (gd.querySelector('.gtitle') || {}).textContent || null,
                yaxis: gd._fullLayout.yaxis.type,
                xrange: Array.from(gd.layout.xaxis.range || []),
                yrange: Array.from(gd.layout.yaxis.range || []),
            };
        });
    }
    return out;
}"""


def pace(rate: float, count: int, send: Callable[[int], None]) -> None:
    """Call send(i) for i in range(count) at `rate` calls a second, on the wall clock.

    This sleeps: the steady rate is the load under test, not a way to wait for a result.
    """
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        send(i)
