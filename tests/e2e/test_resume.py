"""Resume: a screen that is cut off comes back with no gap and no duplicate, or reloads when it cannot."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support.proxy import CuttingProxy
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, GRAPHS_JS, LiveServer, live_server, wait_for
from tests.support.sse import Screen, parse_events, read_until_id

WINDOW = 40
ENV = {"PULSEBOARD_WINDOW_POINTS": str(WINDOW), "PULSEBOARD_RETRY_MS": "300"}


class Producer(threading.Thread):
    """Posts one point every 0.1 s, over HTTP, to the server (not through the proxy)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.acked = 0

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            n = 0
            while not self.stop.wait(0.1):  # the producer's own pace, 10 points a second
                n += 1
                # A series appears midway, so "new graph" frames are part of the resumes too.
                series = ("alpha", "beta", "gamma")[n % 3] if n > 60 else ("alpha", "beta")[n % 2]
                try:
                    response = client.post(
                        f"{self.url}/api/points", json={"series": series, "value": n % 17 + n / 1000}
                    )
                except httpx.HTTPError:
                    continue  # the server is restarting: this point was not acknowledged, and is not stored
                self.acked += response.status_code == 200


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def _drawn(page: Page, server: LiveServer) -> dict[str, dict]:
    return {series: {"x": g["x"], "y": g["y"]} for series, g in page.evaluate(GRAPHS_JS).items()}


def _expected(server: LiveServer) -> dict[str, dict]:
    names = [name for (name,) in server.query("SELECT name FROM series")]
    return {name: dict(zip(("x", "y"), server.window(name, WINDOW), strict=True)) for name in names}


@pytest.mark.browser
def test_screen_survives_22_cuts_point_for_point(tmp_path: Path, page: Page) -> None:
    """Through 4 restarts (SIGTERM, kill -9) and 18 dropped connections, each graph ends equal to the database."""
    server = LiveServer(tmp_path, env=ENV).start()
    proxy = CuttingProxy(server.port)
    producer = Producer(server.url)
    try:
        server.post([{"series": "alpha", "value": 0.0}, {"series": "beta", "value": 1.0}])
        page.goto(f"http://127.0.0.1:{proxy.port}/")
        state = "window.pulseboard"
        wait_for(lambda: page.evaluate(f"{state}.opens") >= 1 and len(page.evaluate(GRAPHS_JS)) == 2, timeout=30)
        producer.start()
        # 4 restarts (SIGTERM, kill -9) and 18 dropped connections (RST, FIN mid-response), interleaved.
        order = ["term", "reset", "fin", "reset", "fin", "kill", "fin", "reset", "fin", "reset", "fin"] * 2
        for cut in order:
            opens = page.evaluate(f"{state}.opens")
            seen = page.evaluate(f"{state}.frames + {state}.resets")
            # Cut while frames flow: wait until this connection has carried one more.
            wait_for(lambda seen=seen: page.evaluate(f"{state}.frames + {state}.resets") > seen, timeout=30)
            if cut in ("term", "kill"):
                server.stop(signal.SIGTERM if cut == "term" else signal.SIGKILL)
                server.start()
            else:
                proxy.cut(reset=cut == "reset")

            def reconnected(opens: int = opens) -> bool:
                # The browser reconnects by itself (Last-Event-ID) or the script builds a new
                # EventSource (?after=): either way a new stream opens.
                return page.evaluate(f"{state}.opens") > opens and page.evaluate(f"{state}.source.readyState") == 1

            wait_for(reconnected, timeout=30, what=f"the page to reconnect after a {cut}")
        # Points flowed through the cuts; on a slow machine let the producer reach a hundred first.
        wait_for(lambda: producer.acked > 100, timeout=60, what="a hundred acknowledged points")
        producer.stop.set()
        producer.join()
        # Converged: every graph shows its series' window, point for point.
        expected = _expected(server)
        assert set(expected) == {"alpha", "beta", "gamma"}
        wait_for(lambda: _drawn(page, server) == expected, timeout=30, what="the graphs to equal the database")
        # Every reconnect resumed with a patch; a reload would hide gaps rather than prove there are none.
        assert page.evaluate(f"{state}.resets") == 0
        print(
            f"\n{len(order)} cuts survived; {page.evaluate(f'{state}.connects')} EventSources, "
            f"{page.evaluate(f'{state}.opens')} opens, {page.evaluate(f'{state}.resets')} resets, "
            f"{producer.acked} points"
        )
    finally:
        producer.stop.set()
        proxy.close()
        server.stop()


def _stream(server: LiveServer, headers: dict[str, str], params: dict[str, str] | None = None) -> list[dict]:
    last_id = str(server.query("SELECT MAX(id) FROM points")[0][0])
    url = str(httpx.URL(f"{server.url}/api/stream", params=params or {}))
    return parse_events(read_until_id(url, last_id, headers))


def test_cursor_from_another_database_gets_a_reset(tmp_path: Path) -> None:
    """A screen whose cursor belongs to another database is reloaded, not patched."""
    with live_server(tmp_path, env=ENV) as server:
        server.post([{"series": "alpha", "value": float(v)} for v in range(10)])
        events = _stream(server, {"Last-Event-ID": "3"}, {"db": "0123456789abcdef"})
        assert [e["event"] for e in events] == ["reset"]
        database_id = server.query("SELECT value FROM meta WHERE key = 'database_id'")[0][0]
        assert json.loads(events[0]["data"])["db"] == database_id  # so the page knows to start over
        screen = Screen()
        screen.apply(events[0])
        xs, ys = server.window("alpha", WINDOW)
        assert screen.traces["alpha"] == {"x": xs, "y": ys}
        # The same cursor with this database's id resumes with a patch.
        assert [e["event"] for e in _stream(server, {"Last-Event-ID": "3"}, {"db": database_id})] == ["frame"]


def test_cursor_below_retention_gets_a_reset_and_one_above_resumes(tmp_path: Path) -> None:
    """Once retention deleted points a screen still shows, its cursor is reloaded; a newer one is patched."""
    env = {**ENV, "PULSEBOARD_RETENTION_SECONDS": "60", "PULSEBOARD_RETENTION_INTERVAL_SECONDS": "0.1"}
    server = LiveServer(tmp_path, env=env)
    # Points from before the retention window, written straight to the file before the server starts.
    old = time.time() - 3600
    server.start()
    server.post([{"series": "alpha", "value": 0.0}])
    server.stop()
    with sqlite3.connect(server.database) as db:
        db.executemany(
            "INSERT INTO points (series_id, ts, value) VALUES (1, ?, ?)", [(old + i, float(i)) for i in range(100)]
        )
    server.start()
    try:
        server.post([{"series": "alpha", "value": float(v)} for v in range(2 * WINDOW)])
        wait_for(lambda: server.query("SELECT COUNT(*) FROM points WHERE ts < ?", (old + 1000,))[0][0] == 0, timeout=20)
        # Ids: 1 (now), 2..101 (an hour old, now deleted), 102..181. Cursor 50's window held deleted
        # points; so did cursor 110's (1, 72..101 and 102..110), though it is past the newest deleted id.
        for cursor in (50, 110):
            assert [e["event"] for e in _stream(server, {"Last-Event-ID": str(cursor)})] == ["reset"], cursor
        # A cursor whose window is all still stored resumes, and lands exactly on the database.
        cursor = server.query("SELECT MAX(id) FROM points")[0][0] - 5
        events = _stream(server, {"Last-Event-ID": str(cursor)})
        assert [e["event"] for e in events] == ["frame"]
        screen = Screen(traces={"alpha": dict(zip(("x", "y"), _window_at(server, "alpha", cursor), strict=True))})
        for event in events:
            screen.apply(event)
        xs, ys = server.window("alpha", WINDOW)
        assert screen.traces["alpha"] == {"x": xs, "y": ys}
    finally:
        server.stop()


def _window_at(server: LiveServer, series: str, upto: int) -> tuple[list[int], list[float]]:
    return server.window(series, WINDOW, upto=upto)
