"""Looking back in headless Chromium: the 24 h view keeps a one-point spike, zoom narrows the range and
the URL, a past range stays still while points arrive, a range ending at now keeps sliding."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import GRAPHS_JS, LiveServer, wait_for

pytestmark = pytest.mark.browser

BOARD = """
dashboards:
  - name: hist
    title: History
    columns: 2
    panels:
      - {title: CPU, series: ["cpu"], kind: line}
      - {title: Memory, series: ["mem"], kind: line}
  - name: still
    title: Stats
    panels:
      - {title: CPU now, series: ["cpu"], kind: stat, decimals: 1}
      - {title: CPU gauge, series: ["cpu"], kind: gauge, decimals: 1, min: 0, max: 1000}
"""
SPIKE = 1000.0
GD = (
    "(panel) => document.getElementById(JSON.stringify({panel: panel, type: 'pb-graph'}))"
    ".querySelector('.js-plotly-plot')"
)


@pytest.fixture
def board_server(tmp_path: Path) -> Iterator[LiveServer]:
    (tmp_path / "dashboards.yaml").write_text(BOARD)
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(tmp_path / "dashboards.yaml")}).start()
    try:
        yield server
    finally:
        server.stop()


def post_all(server: LiveServer, points: list[dict[str, Any]]) -> None:
    for start in range(0, len(points), 10_000):
        assert server.post(points[start : start + 10_000]).status_code == 200


def open_range(page: Any, server: LiveServer, query: str) -> None:
    """Open the dashboard at a range and wait until its history has been drawn."""
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(f"{server.url}/d/hist?{query}")
    wait_for(lambda: page.evaluate("(window.pulseboard.board && window.pulseboard.board.history.loads) || 0") >= 1,
             timeout=30, what="the history to be read")
    # Plotly draws the patch a moment later: the graph's data says when.
    wait_for(lambda: traces(page).get("cpu", {}).get("xrange"), timeout=30, what="the history in the graphs")


def traces(page: Any) -> dict[str, Any]:
    return page.evaluate(GRAPHS_JS)


def ms_ends(xrange: list[Any]) -> list[float]:
    """Return an x range's ends in ms; Plotly writes ranges it set itself as UTC date text."""
    return [
        datetime.fromisoformat(end).replace(tzinfo=UTC).timestamp() * 1000 if isinstance(end, str) else end
        for end in xrange
    ]


def span_ms(xrange: list[Any]) -> float:
    """Return an x range's length in ms."""
    ends = ms_ends(xrange)
    return ends[1] - ends[0]


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def test_a_spike_among_100000_points_shows_in_24h_and_a_drag_zooms_every_panel(
    page: Any, board_server: LiveServer
) -> None:
    """A one-point spike is drawn in the 24 h view at < 2 points a pixel; a drag narrows both panels and
    the URL; a double-click goes back."""
    now = time.time()
    step = 86_000 / 100_000
    cpu = [{"series": "cpu", "ts": now - 86_000 + i * step, "value": (i % 200) / 10} for i in range(100_000)]
    cpu[61_234]["value"] = SPIKE
    mem = [{"series": "mem", "ts": now - 86_000 + i * 60, "value": float(i % 7)} for i in range(1433)]
    post_all(board_server, cpu + mem)
    open_range(page, board_server, "from=now-24h&to=now")
    drawn = traces(page)
    width = page.evaluate(f"() => ({GD})('p0').clientWidth")
    assert len(drawn["cpu"]["x"]) <= 2 * width < 100_000
    assert max(drawn["cpu"]["y"]) == SPIKE
    spike_at = drawn["cpu"]["x"][drawn["cpu"]["y"].index(SPIKE)]
    assert spike_at == round(cpu[61_234]["ts"] * 1000)
    assert drawn["cpu"]["yrange"][1] >= SPIKE  # inside the axis: visible
    assert drawn["cpu"]["xrange"][1] - drawn["cpu"]["xrange"][0] == pytest.approx(86_400_000, abs=5000)

    # Drag across the middle third of the CPU graph's plot area.
    box = page.evaluate(f"""() => {{
        const r = ({GD})('p0').querySelector('.nsewdrag').getBoundingClientRect();
        return {{x: r.x, y: r.y, width: r.width, height: r.height}};
    }}""")
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y + 2, steps=8)
    page.mouse.move(box["x"] + 2 * box["width"] / 3, y + 2, steps=8)
    page.mouse.up()
    wait_for(lambda: "from=20" in page.url, what="the zoomed range in the URL")
    wait_for(lambda: page.evaluate("window.pulseboard.board.history.loads") >= 2, what="the zoom's history")
    zoomed = traces(page)
    start, end = zoomed["cpu"]["xrange"]
    assert end - start == pytest.approx(86_400_000 / 3, rel=0.15)
    for key in ("cpu", "mem"):  # every panel, not only the one dragged
        assert zoomed[key]["xrange"] == [start, end]
        assert zoomed[key]["x"] and all(start <= x <= end for x in zoomed[key]["x"])
    inside = [p for p in cpu if start <= p["ts"] * 1000 <= end]
    assert zoomed["cpu"]["x"] != drawn["cpu"]["x"] and len(zoomed["cpu"]["x"]) <= min(2 * width, len(inside))

    page.mouse.dblclick(box["x"] + box["width"] / 2, y)
    wait_for(lambda: "from=now-24h" in page.url, what="the range before the zoom back in the URL")
    wait_for(lambda: span_ms(traces(page)["cpu"]["xrange"]) > 86_000_000, what="the 24 h view again")


def test_a_range_is_drawn_from_one_request_without_waiting_for_the_stream(page: Any, board_server: LiveServer) -> None:
    """The page asks for every panel's history at once as it starts: its stream (cut here) need not tell it first."""
    now = time.time()
    post_all(board_server, [{"series": s, "ts": now - 600 + i, "value": float(i)}
                            for s in ("cpu", "mem") for i in range(500)])
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/api/history" in request.url else None)
    page.route("**/api/stream*", lambda route: route.abort())
    open_range(page, board_server, "from=now-15m&to=now")
    wait_for(lambda: traces(page).get("mem", {}).get("x"), what="the second panel's history")
    drawn = traces(page)
    assert drawn["cpu"]["y"][-1] == 499.0 and drawn["mem"]["y"][-1] == 499.0
    assert len(asked) == 1 and "dashboard=hist" in asked[0] and "panel=p0" in asked[0] and "panel=p1" in asked[0]
    assert page.evaluate("window.pulseboard.opens") == 0  # no stream ever opened


def test_a_past_range_stays_still_while_points_arrive(page: Any, board_server: LiveServer) -> None:
    now = time.time()
    post_all(board_server, [{"series": s, "ts": now - 7200 + i * 10, "value": float(i)}
                            for s in ("cpu", "mem") for i in range(700)])
    open_range(page, board_server, f"from={iso(now - 7000)}&to={iso(now - 3594.5)}")
    before = traces(page)
    assert before["cpu"]["xrange"] == pytest.approx([(now - 7000) * 1000, (now - 3594.5) * 1000], abs=1)
    # Its age is the newest point's before the range's end (5.5 s), not now's.
    wait_for(lambda: shown(page, "pb-age", "p0")["text"] == "5 s before the range's end", what="the age at the end")
    held = page.evaluate("window.pulseboard.board.history.held")
    for value in (500.0, 600.0):
        board_server.post([{"series": "cpu", "value": value}, {"series": "mem", "value": value}])
    # The board drew the new points, and they were kept off the graphs: nothing moved.
    wait_for(lambda: page.evaluate("window.pulseboard.board.history.held") >= held + 2, what="the board's draws")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert traces(page) == before
    assert "from=" in page.url and "to=now" not in page.url
    assert shown(page, "pb-age", "p0")["text"] == "5 s before the range's end"


def test_a_range_ending_now_keeps_sliding_with_live_points(page: Any, board_server: LiveServer) -> None:
    now = time.time()
    post_all(board_server, [{"series": "cpu", "ts": now - 800 + i, "value": 1.0} for i in range(795)])
    open_range(page, board_server, "from=now-15m&to=now")
    first = traces(page)["cpu"]
    assert first["xrange"][1] - first["xrange"][0] == pytest.approx(900_000, abs=2000)
    board_server.post([{"series": "cpu", "value": 77.0}])
    wait_for(lambda: 77.0 in traces(page)["cpu"]["y"], what="the live point joined to the history")
    later = traces(page)["cpu"]
    assert later["xrange"][1] > first["xrange"][1]  # the window moved on with the clock
    assert later["xrange"][1] - later["xrange"][0] == pytest.approx(900_000, abs=2000)
    assert later["x"] == sorted(later["x"]) and len(later["x"]) == len(set(later["x"]))  # no seam: no point twice
    assert later["y"][-1] == 77.0

    # The panel's CSV: the raw points of the range shown, the live one too.
    with page.expect_download() as download:
        page.click("a.pb-export[data-panel='p0']")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 796 and rows[-1]["value"] == "77.0" and {row["series"] for row in rows} == {"cpu"}


def test_the_picker_sets_the_range_in_the_url_and_every_panel(page: Any, board_server: LiveServer) -> None:
    """A preset and a custom from/to each go into the URL and the graphs; a bad time is said, not drawn."""
    now = time.time()
    post_all(board_server, [{"series": s, "ts": now - 7000 + i * 10, "value": float(i)}
                            for s in ("cpu", "mem") for i in range(690)])
    open_range(page, board_server, "from=now-15m&to=now")
    page.click("button.pb-range-preset[data-from='now-6h']")
    wait_for(lambda: "from=now-6h&to=now" in page.url, what="the preset in the URL")
    wait_for(lambda: span_ms(traces(page)["mem"]["xrange"]) == pytest.approx(6 * 3_600_000, abs=5000),
             what="6 h in every panel")
    assert page.get_attribute("button.pb-range-preset[data-from='now-6h']", "aria-pressed") == "true"
    page.fill("#pb-range-from", "now-2h")
    page.fill("#pb-range-to", "now-1h")
    page.click("button.pb-range-apply")
    wait_for(lambda: "from=now-2h&to=now-1h" in page.url, what="the custom range in the URL")
    wait_for(lambda: span_ms(traces(page)["cpu"]["xrange"]) == pytest.approx(3_600_000, abs=5000),
             what="the custom hour drawn")
    assert all(now * 1000 - 7_300_000 <= x <= now * 1000 - 3_500_000 for x in traces(page)["cpu"]["x"])
    page.fill("#pb-range-from", "last tuesday")
    page.click("button.pb-range-apply")
    wait_for(lambda: "from must be" in page.text_content("#pb-range-note"), what="the API's refusal shown")
    assert "from=now-2h&to=now-1h" in page.url  # the URL still says what is drawn


def test_a_live_page_stays_live_until_a_drag_zooms_it_into_history(page: Any, board_server: LiveServer) -> None:
    """Live frames' own axis animations are not zooms; a user's drag is, and a double-click goes back to live
    without a reload."""
    now = time.time()
    post_all(board_server, [{"series": "cpu", "ts": now - 300 + i, "value": float(i % 13)} for i in range(295)])
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(f"{board_server.url}/d/hist")
    wait_for(lambda: len(traces(page).get("cpu", {}).get("x", [])) >= 295, what="the live window drawn")
    frames = page.evaluate("window.pulseboard.frames")
    for value in (3.0, 4.0, 5.0):
        board_server.post([{"series": "cpu", "value": value}])
        wait_for(lambda v=value: traces(page)["cpu"]["y"][-1] == v, what="a live point drawn")
    assert page.evaluate("window.pulseboard.frames") > frames
    assert "from=" not in page.url and page.evaluate("window.pulseboard.board.history.range") is None
    box = page.evaluate(f"""() => {{
        const r = ({GD})('p0').querySelector('.nsewdrag').getBoundingClientRect();
        return {{x: r.x, y: r.y, width: r.width, height: r.height}};
    }}""")
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y + 2, steps=10)
    page.mouse.up()
    wait_for(lambda: "from=20" in page.url, what="the zoom's range in the URL")
    wait_for(lambda: page.evaluate("window.pulseboard.board.history.loads") >= 1, what="the zoom's history")
    bounds = page.evaluate("window.pulseboard.board.history.bounds")
    wait_for(lambda: traces(page)["cpu"]["xrange"] == bounds, what="the zoom drawn")  # Plotly idle again
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.mouse.dblclick(box["x"] + box["width"] / 3, y)
    wait_for(lambda: "from=" not in page.url, what="live again in the URL")
    # Back to live with no reload: the board's own points, kept meanwhile, and a new one arriving.
    board_server.post([{"series": "cpu", "value": 42.0}])
    wait_for(lambda: traces(page)["cpu"]["y"][-1] == 42.0, what="a live point drawn after the zoom")
    live = traces(page)["cpu"]
    assert len(live["x"]) == 295 + 3 + 1 and live["x"] == sorted(live["x"])
    # The time axis is the live one again (the board drew the zoom's over), holding every point.
    wait_for(
        lambda: (lambda t: ms_ends(t["xrange"])[0] <= t["x"][0] and ms_ends(t["xrange"])[1] >= t["x"][-1])(
            traces(page)["cpu"]
        ),
        what="the live time axis again",
    )
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_attribute("button.pb-range-preset[data-from='']", "aria-pressed") == "true"


def shown(page: Any, kind: str, panel: str) -> dict[str, str]:
    """Return what a panel's part shows: its text and its gauge fill."""
    return page.evaluate(
        """([kind, panel]) => {
            const part = document.getElementById(JSON.stringify({panel: panel, type: kind}));
            if (!part) return {text: null, fill: null};
            return {text: part.textContent, fill: part.style.getPropertyValue('--pb-fill')};
        }""",
        [kind, panel],
    )


def test_stats_and_gauges_show_a_past_range_s_end_and_live_again_after(page: Any, board_server: LiveServer) -> None:
    """In a past range a stat and a gauge show the value in force at its end (from before it, through a gap),
    and the stat its change over the range; a range ending now and live show the newest value, with no reload."""
    now = time.time()
    # Every 10 s for two hours, but none in the 20 minutes before the range's end.
    points = [{"series": "cpu", "ts": now - 7200 + i * 10, "value": float(i)} for i in range(715)]
    post_all(board_server, [p for p in points if not now - 4800 < p["ts"] <= now - 3600])
    in_force = max((p for p in points if p["ts"] <= now - 4800), key=lambda p: p["ts"])
    first = min((p for p in points if p["ts"] >= now - 7005), key=lambda p: p["ts"])
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(f"{board_server.url}/d/still?from={iso(now - 7005)}&to={iso(now - 3600)}")
    page.evaluate("window.__sameDocument = true")
    value = f"{in_force['value']:.1f}"
    wait_for(lambda: shown(page, "pb-value", "p0")["text"] == value, timeout=30, what="the stat's value at the end")
    assert shown(page, "pb-value", "p1")["text"] == value
    assert shown(page, "pb-change", "p0")["text"] == f"+{in_force['value'] - first['value']:.1f}"
    assert float(shown(page, "pb-gauge", "p1")["fill"]) == pytest.approx(in_force["value"] / 1000)
    assert "before the range's end" in shown(page, "pb-age", "p0")["text"]
    spark_js = f"() => {{ const gd = ({GD})('p0'); return gd && gd.data && gd.data[0] && gd.data[0].x; }}"
    spark = wait_for(lambda: page.evaluate(spark_js), what="the stat's sparkline: the range's points")
    assert spark and all((now - 7005) * 1000 <= x <= (now - 4800) * 1000 + 1 for x in spark)
    held = page.evaluate("window.pulseboard.board.history.held")
    board_server.post([{"series": "cpu", "value": 999.0}])
    wait_for(lambda: page.evaluate("window.pulseboard.board.history.held") > held, what="the board's draw held")
    assert shown(page, "pb-value", "p0")["text"] == value and shown(page, "pb-value", "p1")["text"] == value

    page.click("button.pb-range-preset[data-from='now-1h']")  # ends at now: live as ever
    wait_for(lambda: shown(page, "pb-value", "p0")["text"] == "999.0", what="the stat live in a sliding range")
    wait_for(lambda: shown(page, "pb-value", "p1")["text"] == "999.0", what="the gauge live in a sliding range")
    wait_for(lambda: "ago" in shown(page, "pb-age", "p0")["text"] or "just now" in shown(page, "pb-age", "p0")["text"],
             what="the age from now again")
    page.fill("#pb-range-from", "now-2h")  # still again, then live
    page.fill("#pb-range-to", "now-1h")
    page.click("button.pb-range-apply")
    wait_for(lambda: shown(page, "pb-value", "p0")["text"] == value, what="the stat still again")
    page.click("button.pb-range-preset[data-from='']")
    wait_for(lambda: "from=" not in page.url, what="live in the URL")
    board_server.post([{"series": "cpu", "value": 500.0}])
    wait_for(lambda: shown(page, "pb-value", "p0")["text"] == "500.0", what="the stat live again")
    wait_for(lambda: float(shown(page, "pb-gauge", "p1")["fill"]) == pytest.approx(0.5), what="the gauge live again")
    assert page.evaluate("window.__sameDocument") is True


def test_pages_that_do_not_look_back_say_so(page: Any, board_server: LiveServer) -> None:
    """The automatic page is live only: asked for a range it says so, and draws live; the list of dashboards too."""
    board_server.post([{"series": "cpu", "value": 3.0}])
    page.goto(f"{board_server.url}/all?from=now-6h&to=now")
    page.wait_for_selector("text=This page is live only: looking back (?from=, ?to=) is for a dashboard's page")
    wait_for(lambda: traces(page).get("cpu", {}).get("y") == [3.0], what="the automatic page drawn live")
    page.goto(f"{board_server.url}/?from=now-6h")
    page.wait_for_selector("text=This page is live only")
    page.goto(f"{board_server.url}/all")
    page.wait_for_selector(".pb-graph")
    assert page.query_selector(".pb-range-refused") is None


def test_a_kiosk_page_has_no_picker_but_draws_the_range_its_url_names(page: Any, board_server: LiveServer) -> None:
    now = time.time()
    post_all(board_server, [{"series": "cpu", "ts": now - 5000 + i * 10, "value": float(i)} for i in range(490)])
    open_range(page, board_server, f"kiosk=1&from={iso(now - 4000)}&to={iso(now - 2000)}")
    assert page.query_selector("#pb-range") is None
    assert traces(page)["cpu"]["xrange"] == pytest.approx([(now - 4000) * 1000, (now - 2000) * 1000], abs=1)
    xs = traces(page)["cpu"]["x"]
    assert len(xs) >= 199 and all((now - 4000) * 1000 - 1 <= x <= (now - 2000) * 1000 + 1 for x in xs)
