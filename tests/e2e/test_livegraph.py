"""LiveGraph on a host's own page (tests/fixtures/host_app: its own app.py, routes/, callbacks/).

Real uvicorn, real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import ROOT, LiveServer, wait_for

HOST = ROOT / "tests" / "fixtures" / "host_app"
# Each LiveGraph's traces as drawn: {graph's aio_id: {trace name: [y...]}}, from the graphs' gd.data.
DRAWN_JS = """() => {
    const out = {};
    for (const node of document.querySelectorAll('[data-pb-livegraph]')) {
        const gd = node.querySelector('.js-plotly-plot');
        const id = JSON.parse(node.getAttribute('data-pb-livegraph'));
        out[id.aio_id] = {};
        for (const trace of (gd && gd.data) || []) out[id.aio_id][trace.name] = Array.from(trace.y || []);
    }
    return out;
}"""


@pytest.fixture
def host(tmp_path: Path) -> Iterator[LiveServer]:
    """The host app under a real uvicorn, Pulseboard under /pulse."""
    server = LiveServer(tmp_path, env={"PYTHONPATH": str(ROOT)}, cwd=HOST)
    server.prefix = "/pulse"
    server.start()
    try:
        yield server
    finally:
        server.stop()


def drawn(page: Any) -> dict[str, dict[str, list[float]]]:
    return page.evaluate(DRAWN_JS)


def test_livegraphs_draw_pushed_points_of_their_series_only(host: LiveServer, browser: Any) -> None:
    """Points pushed after the page opened reach the LiveGraphs showing their series, over one stream, and no others."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    streams: list[str] = []
    page.on("request", lambda request: streams.append(request.url) if "/api/stream" in request.url else None)
    page.goto(f"http://127.0.0.1:{host.port}/app/")
    page.wait_for_selector("#title")
    wait_for(lambda: len(drawn(page)) == 2, what="both LiveGraphs drawn")
    wait_for(lambda: streams, what="the page's stream")
    for value in (1.0, 2.0, 3.0):
        points = [{"series": "cpu.load", "value": value}, {"series": "mem", "value": value * 10},
                  {"series": "disk", "value": -value}, {"series": "other", "value": 99}]
        assert host.post({"points": points}).status_code == 200
        wait_for(lambda v=value: drawn(page).get("cpu%2Eload", {}).get("cpu.load", [None])[-1] == v,
                 what=f"cpu.load's point {value} drawn")
    def all_drawn() -> dict[str, dict[str, list[float]]] | None:
        now = drawn(page)
        return now if now["mem,disk"].get("disk", [None])[-1] == -3.0 else None

    shown = wait_for(all_drawn, what="mem and disk drawn")
    assert shown["cpu%2Eload"] == {"cpu.load": [1.0, 2.0, 3.0]}
    assert shown["mem,disk"] == {"mem": [10.0, 20.0, 30.0], "disk": [-1.0, -2.0, -3.0]}
    # One stream for the page, asking for the three series shown; "other" was never drawn.
    assert len(set(streams)) == 1
    assert set(streams[0].split("?", 1)[1].split("&")) == {"series=cpu.load", "series=disk", "series=mem"}
    assert errors == []
    # The host's own parts answer as before: its callbacks, its routes package, its health blueprint.
    page.click("#refresh")
    page.wait_for_function("() => document.querySelector('#clicked').textContent === 'clicked 1'")
    own = httpx.get(f"http://127.0.0.1:{host.port}/health", timeout=5).json()
    assert own == {"host": "ok", "package": "routes.health"}
    page.close()


def test_a_reloaded_page_is_drawn_from_the_stream_reset(host: LiveServer, browser: Any) -> None:
    """Points stored before the page opened are drawn from the stream's first event (the window)."""
    assert host.post({"points": [{"series": "cpu.load", "value": v} for v in (4.0, 5.0)]}).status_code == 200
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{host.port}/app/")
    wait_for(lambda: drawn(page).get("cpu%2Eload") == {"cpu.load": [4.0, 5.0]}, what="the stored window drawn")
    page.close()
