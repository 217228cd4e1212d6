"""What a viewer sees, read from the page: the theme, late points, label sets, and frames that never stop."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import GRAPHS_JS, LiveServer, live_server, pace, wait_for

pytestmark = pytest.mark.browser
BIGGEST = 1.7976931348623157e308
LIVE_JS = "!!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"
# What the viewer sees of the page's colours: the page, its header, and every graph's background.
COLOURS_JS = """() => ({
    page: getComputedStyle(document.body).backgroundColor,
    header: getComputedStyle(document.querySelector('.pb-header')).backgroundColor,
    graphs: Array.from(document.querySelectorAll('#pb-graphs .js-plotly-plot .main-svg:first-of-type'))
        .map((svg) => getComputedStyle(svg).backgroundColor),
})"""
DARK = {"page": "rgb(15, 19, 24)", "header": "rgb(23, 28, 35)", "graph": "rgb(23, 28, 35)"}
LIGHT = {"page": "rgb(238, 241, 245)", "header": "rgb(255, 255, 255)", "graph": "rgb(255, 255, 255)"}


def open_page(page: Any, url: str) -> None:
    """Load a page and wait until its stream is live."""
    page.goto(url)
    wait_for(lambda: page.evaluate(LIVE_JS), what="the stream to open")


def all_in(page: Any, theme: dict[str, str], graphs: int) -> bool:
    """Tell whether the page, header and `graphs` graphs all show the theme's colours."""
    seen = page.evaluate(COLOURS_JS)
    return (
        seen["page"] == theme["page"]
        and seen["header"] == theme["header"]
        and len(seen["graphs"]) == graphs
        and all(colour == theme["graph"] for colour in seen["graphs"])
    )


def test_dark_theme_covers_the_page_new_series_resets_and_reloads(page: Any, tmp_path: Path) -> None:
    """?theme=dark darkens the page, header and graphs; a new series, a reset and a reload stay dark.

    The background and header stayed light, and every graph a frame or reset brought arrived
    light, because the frame every viewer shares carried the light theme (issue 12, defect 3).
    """
    with live_server(tmp_path, env={"PULSEBOARD_REPLAY_MAX_POINTS": "5"}) as server:
        server.post([{"series": "a", "value": 1}])
        open_page(page, server.url + "/?theme=dark")
        wait_for(lambda: all_in(page, DARK, 1), what="the dark page, header and graph")
        server.post([{"series": "b", "value": 2}])
        wait_for(lambda: "b" in page.evaluate(GRAPHS_JS), what="the new series' graph")
        wait_for(lambda: all_in(page, DARK, 2), what="the new graph, dark")

        # A reset: the server stops, more points are written than a replay may carry, it starts again.
        resets = page.evaluate("window.pulseboard.resets")
        server.stop()
        now = time.time()
        with_ids = server.query("SELECT id FROM series WHERE name = 'a'")[0][0]
        rows = [(with_ids, now + i * 0.001, float(10 + i)) for i in range(10)]
        server.execute("INSERT INTO points (series_id, ts, value) VALUES (?, ?, ?)", rows)
        server.start()
        wait_for(lambda: page.evaluate("window.pulseboard.resets") > resets, timeout=30, what="a reset")
        wait_for(lambda: page.evaluate(GRAPHS_JS)["a"]["y"][-1] == 19.0, what="the reset's points")
        assert all_in(page, DARK, 2)

        page.goto(server.url + "/")  # no ?theme=: the choice is remembered
        wait_for(lambda: page.evaluate(LIVE_JS) and all_in(page, DARK, 2), what="the reloaded page, dark")
        page.locator("#pb-theme label", has_text="light").click()
        wait_for(lambda: all_in(page, LIGHT, 2), what="everything light again")
        page.reload()
        wait_for(lambda: page.evaluate(LIVE_JS) and all_in(page, LIGHT, 2), what="light remembered")


def test_a_late_point_lands_in_place_and_the_axis_ends_at_the_newest(page: Any, server: LiveServer) -> None:
    """Points at t-60 ... t-20 s, then one at t-45 s: drawn between them; the x axis still ends at t-20 s."""
    t = time.time()
    server.post([{"series": "late", "value": float(i), "ts": t - 60 + 10 * i} for i in range(5)])
    open_page(page, server.url + "/")
    wait_for(lambda: "late" in page.evaluate(GRAPHS_JS), what="the graph")
    server.post([{"series": "late", "value": 99.0, "ts": t - 45}])
    newest = round((t - 20) * 1000)
    wait_for(lambda: page.evaluate(GRAPHS_JS)["late"]["y"] == [0.0, 1.0, 99.0, 2.0, 3.0, 4.0], what="the late point")
    graph = page.evaluate(GRAPHS_JS)["late"]
    assert graph["x"] == sorted(graph["x"])
    assert graph["xrange"][1] >= newest, (graph["xrange"], newest)
    assert (graph["x"], graph["y"]) == server.window("late", 1000)


def test_label_sets_are_traces_of_one_panel(page: Any, server: LiveServer) -> None:
    """cpu{host=a} and cpu{host=b} are two lines of one panel, a third label set arriving live is a third."""
    server.post([{"series": "cpu", "value": v, "labels": {"host": h}} for v, h in ((1, "a"), (2, "b"))])
    open_page(page, server.url + "/")
    a, b, c = (f'cpu{{"host":"{host}"}}' for host in "abc")
    wait_for(lambda: {a, b} <= set(page.evaluate(GRAPHS_JS)), what="both traces")
    server.post([{"series": "cpu", "value": v, "labels": {"host": h}} for v, h in ((3, "c"), (4, "a"))])
    wait_for(lambda: page.evaluate(GRAPHS_JS).get(c, {}).get("y") == [3], what="the third label set")
    graphs = page.evaluate(GRAPHS_JS)
    assert graphs[a]["y"] == [1, 4] and graphs[b]["y"] == [2]
    assert graphs[a]["panel"] == graphs[b]["panel"] == graphs[c]["panel"]
    assert [graphs[k]["name"] for k in (a, b, c)] == ["host=a", "host=b", "host=c"]
    assert page.locator("#pb-graphs .js-plotly-plot").count() == 1


def test_the_largest_double_does_not_stop_the_screen(page: Any, server: LiveServer) -> None:
    """After 1.7976931348623157e308 the page keeps drawing new points, and a reload draws the window."""
    server.post([{"series": "host.cpu", "value": 1.0}])
    open_page(page, server.url + "/")
    server.post([{"series": "host.cpu", "value": BIGGEST}])
    server.post([{"series": "host.cpu", "value": -1e308}, {"series": "host.cpu", "value": 1e308}])
    server.post([{"series": "host.cpu", "value": 2.0}])
    shown = [1.0, BIGGEST, -1e308, 1e308, 2.0]
    wait_for(lambda: page.evaluate(GRAPHS_JS).get("host.cpu", {}).get("y") == shown, what="all four")
    assert httpx.get(f"{server.url}/readyz", timeout=5).json()["status"] == "ok"
    page.reload()
    wait_for(
        lambda: page.evaluate(GRAPHS_JS).get("host.cpu", {}).get("y") == [1.0, BIGGEST, -1e308, 1e308, 2.0],
        what="the reloaded page's graph",
    )


def test_a_page_carries_on_without_a_gap_when_the_framer_fails(page: Any, tmp_path: Path) -> None:
    """The framer raises once mid-stream (a faulty build of the app): the page ends equal to the database."""
    server = LiveServer(tmp_path, env={"FAULTY_FRAME": "5"}, target="tests.support.faulty_app:server").start()
    try:
        server.post([{"series": "steady", "value": -1.0}])
        open_page(page, server.url + "/")
        pace(10, 40, lambda i: server.post([{"series": "steady", "value": float(i)}]))
        wait_for(
            lambda: (page.evaluate(GRAPHS_JS)["steady"]["x"], page.evaluate(GRAPHS_JS)["steady"]["y"])
            == server.window("steady", 1000),
            timeout=20,
            what="the page to equal the database",
        )
        assert page.evaluate(GRAPHS_JS)["steady"]["y"] == [-1.0, *map(float, range(40))]
        assert page.evaluate("window.pulseboard.resets") == 0
        assert "injected framer failure" in server.log.read_text()
        metrics = httpx.get(f"{server.url}/metrics", timeout=5).text
        assert 'pulseboard_task_restarts_total{task="framer"} 1.0' in metrics
    finally:
        server.stop()
