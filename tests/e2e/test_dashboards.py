"""Dashboards from a file, in headless Chromium: stat colours, label sets, stale panels, edits, filtered streams."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from live.dashboards.model import PALETTE
from tests.support.servers import GRAPHS_JS, LiveServer, wait_for

pytestmark = pytest.mark.browser

RED = PALETTE["red"]
BOARD = """
dashboards:
  - name: ops
    title: Operations
    columns: 3
    panels:
      - title: CPU now
        series: ["cpu"]
        kind: stat
        unit: "%"
        decimals: 1
        thresholds: [{value: 70, color: orange}, {value: 90, color: red}]
      - title: Requests
        series: ['req{dc="eu"}']
        kind: line
        stale_seconds: 1
      - title: Disk
        series: ["disk"]
        kind: gauge
        unit: "%"
        min: 0
        max: 100
        thresholds: [{value: 80, color: red}]
      - title: Services
        series: ["svc.*"]
        max_traces: 2
"""


PART_JS = """([kind, panel]) => {
    const el = document.getElementById(JSON.stringify({panel: panel, type: kind}));
    if (!el) return null;
    const style = getComputedStyle(el);
    return {text: el.textContent, className: el.className, color: style.color,
            fill: style.getPropertyValue('--pb-fill'), gaugeColor: style.getPropertyValue('--pb-color').trim()};
}"""


def read_part(page: Any, kind: str, panel: str) -> dict[str, Any] | None:
    """Return what the user sees of a panel's part: its text, classes and colours."""
    return page.evaluate(PART_JS, [kind, panel])


def rgb(hex_color: str) -> str:
    """Return a #rrggbb colour as getComputedStyle writes it."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def board_file(tmp_path: Path) -> Path:
    path = tmp_path / "dashboards.yaml"
    path.write_text(BOARD)
    return path


@pytest.fixture
def board_server(tmp_path: Path, board_file: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(board_file)}).start()
    try:
        yield server
    finally:
        server.stop()


def open_board(page: Any, server: LiveServer, name: str = "ops") -> None:
    """Load a dashboard and wait until its stream is live and its first reset is drawn."""
    page.goto(f"{server.url}/d/{name}")
    wait_for(
        lambda: page.evaluate("!!(window.pulseboard && window.pulseboard.board && window.pulseboard.resets > 0)"),
        what="the dashboard's stream to deliver its reset",
    )


def framed(server: LiveServer) -> None:
    """Wait until the framer has framed everything stored (it frames in its own task)."""
    wait_for(
        lambda: (lambda r: r["framed_id"] == r["last_id"])(httpx.get(server.url + "/readyz").json()),
        what="the framer to catch up",
    )


def test_stat_turns_red_in_the_frame_that_crosses_its_threshold(page: Any, board_server: LiveServer) -> None:
    """The stat shows the value and its threshold's colour together: never the new value in the old colour."""
    board_server.post([{"series": "cpu", "value": 12.5}])
    framed(board_server)
    open_board(page, board_server)
    wait_for(lambda: read_part(page, "pb-value", "p0")["text"] == "12.5%", what="the first value")
    assert read_part(page, "pb-value", "p0")["color"] != rgb(RED)
    # Every change of the value's text or colour, as the user could have seen it.
    page.evaluate(
        """() => {
        const el = document.getElementById(JSON.stringify({panel: 'p0', type: 'pb-value'}));
        window.seen = [];
        new MutationObserver(() => window.seen.push([el.textContent, getComputedStyle(el).color]))
            .observe(el, {childList: true, subtree: true, characterData: true, attributes: true});
    }"""
    )
    board_server.post([{"series": "cpu", "value": 95.25}])
    wait_for(lambda: read_part(page, "pb-value", "p0")["color"] == rgb(RED), what="the value to turn red")
    assert read_part(page, "pb-value", "p0")["text"] == "95.2%" or read_part(page, "pb-value", "p0")["text"] == "95.3%"
    shown = page.evaluate("window.seen")
    assert shown, "no change was observed"
    assert all(color == rgb(RED) for text, color in shown if text.startswith("95.")), shown
    assert read_part(page, "pb-change", "p0")["text"].startswith("+82.")


def test_a_line_panel_draws_each_label_set_it_selects_as_a_trace(page: Any, board_server: LiveServer) -> None:
    """req{dc="eu"} selects two label sets of req, not the us one: two traces with a legend."""
    board_server.post([{"series": "req", "value": 1, "labels": {"dc": "eu", "host": "a"}}])
    framed(board_server)
    open_board(page, board_server)
    board_server.post(
        [
            {"series": "req", "value": 2, "labels": {"dc": "eu", "host": "b"}},  # new while the page is open
            {"series": "req", "value": 3, "labels": {"dc": "us", "host": "c"}},
        ]
    )
    wait_for(lambda: len(page.evaluate(GRAPHS_JS)) == 2, what="two traces")
    graphs = page.evaluate(GRAPHS_JS)
    assert {g["name"] for g in graphs.values()} == {"dc=eu, host=a", "dc=eu, host=b"}
    assert {g["panel"] for g in graphs.values()} == {"p1"}
    assert sorted(g["y"][-1] for g in graphs.values()) == [1, 2]
    legend = page.evaluate("() => document.querySelectorAll('.pb-kind-line .legend .traces').length")
    assert legend == 2


def test_a_panel_is_marked_stale_when_its_producer_stops_and_unmarked_when_it_resumes(
    page: Any, board_server: LiveServer
) -> None:
    """stale_seconds: 1; points every 0.2 s keep it fresh, silence marks it, a new point clears it."""
    stop = threading.Event()

    def produce() -> None:
        while not stop.wait(0.2):  # the producer's own pace, not a wait for a result
            board_server.post([{"series": "req", "value": 1, "labels": {"dc": "eu"}}])

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        open_board(page, board_server)
        wait_for(lambda: len(page.evaluate(GRAPHS_JS)) == 1, what="the trace")
        assert "pb-stale" not in read_part(page, "pb-panel", "p1")["className"]
    finally:
        stop.set()
        producer.join()
    wait_for(lambda: "pb-stale" in read_part(page, "pb-panel", "p1")["className"], what="the stale mark")
    assert read_part(page, "pb-age", "p1")["text"].endswith("s ago")
    board_server.post([{"series": "req", "value": 2, "labels": {"dc": "eu"}}])
    wait_for(lambda: "pb-stale" not in read_part(page, "pb-panel", "p1")["className"], what="the mark to clear")


def test_the_gauge_shows_its_value_between_min_and_max_in_its_threshold_colour(
    page: Any, board_server: LiveServer
) -> None:
    board_server.post([{"series": "disk", "value": 85}])
    framed(board_server)
    open_board(page, board_server)
    wait_for(lambda: read_part(page, "pb-value", "p2")["text"] == "85.0%", what="the gauge's value")
    gauge = read_part(page, "pb-gauge", "p2")
    assert float(gauge["fill"]) == pytest.approx(0.85)
    assert gauge["gaugeColor"].lower() == RED


def test_an_edit_reaches_the_open_screen_without_a_reload(
    page: Any, board_server: LiveServer, board_file: Path
) -> None:
    """A new panel and title appear, the stream stays the same, and points after the edit are drawn."""
    board_server.post([{"series": "cpu", "value": 10}])
    framed(board_server)
    open_board(page, board_server)
    page.evaluate("window.notReloaded = true")
    board_file.write_text(
        BOARD.replace("title: Operations", "title: Edited ops").replace(
            "      - title: Disk", '      - title: Temperature\n        series: ["temp"]\n      - title: Disk'
        )
    )
    wait_for(lambda: page.text_content("#pb-title") == "Edited ops", timeout=15, what="the edit on screen")
    wait_for(lambda: page.evaluate("!window.pulseboard.waiting"), what="the rebuild to finish")
    board_server.post([{"series": "temp", "value": 21.5}])
    wait_for(lambda: any(g["panel"] == "p2" for g in page.evaluate(GRAPHS_JS).values()), what="the new panel's line")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("window.pulseboard.connects") == 1
    assert "Temperature" in page.text_content(".pb-dashboard")


def test_a_bad_edit_keeps_the_last_good_dashboards_and_shows_the_error(
    page: Any, board_server: LiveServer, board_file: Path
) -> None:
    open_board(page, board_server)
    bad = BOARD.replace("kind: gauge", "kind: dial")
    line = bad.splitlines().index("        kind: dial") + 1
    board_file.write_text(bad)
    wait_for(lambda: page.is_visible("#pb-error"), timeout=15, what="the error banner")
    error = page.text_content("#pb-error")
    assert f"line {line}" in error and "dashboard 'ops'" in error and "panel 3" in error and "kind" in error
    assert "Disk" in page.text_content(".pb-dashboard")  # the last good panels stay
    board_file.write_text(BOARD)
    wait_for(lambda: not page.is_visible("#pb-error"), timeout=15, what="the banner to go")


def test_a_dashboards_stream_carries_only_the_series_it_shows(page: Any, board_server: LiveServer) -> None:
    """Every event the page received names only selected series, while others are updated too."""
    board_server.post([{"series": "other.0", "value": 0}, {"series": "cpu", "value": 1}])
    framed(board_server)
    page.add_init_script(
        """(() => {
        const Real = window.EventSource;
        window.received = [];
        window.EventSource = function (url) {
            const source = new Real(url);
            ['frame', 'reset'].forEach((kind) => source.addEventListener(kind, (e) => window.received.push(e.data)));
            return source;
        };
        window.EventSource.CLOSED = Real.CLOSED;
    })()"""
    )
    open_board(page, board_server)
    for i in range(20):
        board_server.post([{"series": f"other.{i % 5}", "value": i}, {"series": "cpu", "value": i}])
    wait_for(lambda: read_part(page, "pb-value", "p0")["text"] == "19.0%", what="the last cpu value")
    received = page.evaluate("window.received")
    assert len(received) > 1
    assert not [data for data in received if "other." in data]
    assert all("cpu" in data for data in received)


def test_a_panel_past_its_trace_cap_says_how_many_series_it_leaves_out(page: Any, board_server: LiveServer) -> None:
    """max_traces: 2 with five matching series: two lines drawn, and the panel says 2 of 5."""
    board_server.post([{"series": f"svc.{i}", "value": i} for i in range(3)])
    framed(board_server)
    open_board(page, board_server)
    board_server.post([{"series": f"svc.{i}", "value": i} for i in range(3, 5)])  # two more, live
    wait_for(lambda: read_part(page, "pb-note", "p3")["text"] == "showing 2 of 5 series", what="the cap note")

    def drawn() -> list[str]:
        return sorted(key for key, g in page.evaluate(GRAPHS_JS).items() if g["panel"] == "p3")

    # The note is shown with the reset, the lines once their graph has drawn it: wait for them.
    wait_for(lambda: drawn() == ["svc.0", "svc.1"], what="the first two lines drawn")
    assert drawn() == ["svc.0", "svc.1"]  # and no third


def test_a_line_panel_off_screen_is_drawn_when_it_comes_into_view(page: Any, tmp_path: Path) -> None:
    """Points for a panel scrolled away are kept, not drawn, and all drawn once it is on screen (issue 15)."""
    panels = "".join(f'      - {{title: "S{index}", series: ["s{index}"]}}\n' for index in range(10))
    board = tmp_path / "dashboards.yaml"
    board.write_text(f"dashboards:\n  - name: tall\n    columns: 1\n    panels:\n{panels}")
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(board)}).start()
    try:
        page.set_viewport_size({"width": 800, "height": 500})
        page.goto(server.url + "/d/tall")
        server.post([{"series": f"s{index}", "value": index} for index in range(10)])
        wait_for(lambda: page.evaluate(GRAPHS_JS).get("s0", {}).get("y") == [0], what="the first panel")
        last = server.post([{"series": "s9", "value": 90}]).json()["last_id"]
        wait_for(lambda: page.evaluate("window.pulseboard.lastId") == str(last), what="the frame")
        assert "s9" not in page.evaluate(GRAPHS_JS)  # nine panels down: not drawn
        page.evaluate("document.getElementById(JSON.stringify({panel: 'p9', type: 'pb-panel'})).scrollIntoView()")
        wait_for(lambda: page.evaluate(GRAPHS_JS).get("s9", {}).get("y") == [9, 90], what="s9 drawn with both points")
    finally:
        server.stop()


RECORD_JS = """() => {
    const setProps = window.dash_clientside.set_props;
    window.__ops = [];
    window.dash_clientside.set_props = function (id, props) {
        if (id && id.type === 'pb-graph' && props.figure && props.figure.operations) {
            window.__ops.push(...props.figure.operations.map((op) => op.operation + ' ' + op.location.join('.')));
        }
        return setProps.apply(this, arguments);
    };
}"""


def test_a_line_panel_takes_its_new_points_as_extends_and_its_old_ones_as_deletes(page: Any, tmp_path: Path) -> None:
    """Each draw sends what changed, not the whole window (issue 15: a whole window a draw cost 1.6x a baseline's)."""
    board = tmp_path / "dashboards.yaml"
    board.write_text('dashboards:\n  - name: one\n    panels:\n      - {title: A, series: ["a"], window_points: 3}\n')
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(board)}).start()
    try:
        server.post([{"series": "a", "value": 1}])
        page.goto(server.url + "/d/one")
        wait_for(lambda: page.evaluate(GRAPHS_JS).get("a", {}).get("y") == [1], what="the first point")
        page.evaluate(RECORD_JS)
        for value in (2, 3, 4, 5):
            server.post([{"series": "a", "value": value}])
            wanted = [float(v) for v in range(max(1, value - 2), value + 1)]
            wait_for(lambda wanted=wanted: page.evaluate(GRAPHS_JS)["a"]["y"] == wanted, what=f"{wanted} drawn")
        ops = page.evaluate("window.__ops")
        assert "Extend data.0.y" in ops and "Delete data.0.y.0" in ops
        assert "Assign data.0.y" not in ops and "Assign data.0.x" not in ops
    finally:
        server.stop()
