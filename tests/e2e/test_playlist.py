"""A playlist on a wall, in headless Chromium: dashboards rotating over one stream, no reload, no point missed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import LiveServer, wait_for

pytestmark = pytest.mark.browser

BOARDS = """
dashboards:
  - name: one
    title: First
    panels:
      - title: A
        series: ["a"]
  - name: two
    title: Second
    panels:
      - title: B
        series: ["b"]
      - title: Both
        series: ["a", "b"]
"""


PANEL_JS = """([panel, key]) => {
    const outer = document.getElementById(JSON.stringify({panel: panel, type: 'pb-graph'}));
    const gd = outer && outer.querySelector('.js-plotly-plot');
    const trace = gd && gd.data && gd.data.find((one) => one.meta === key);
    return trace ? Array.from(trace.y) : null;
}"""


def ys(page: Any, panel: str, key: str) -> list[float] | None:
    """Return what the user sees of a series in a panel: the y values its graph draws, if drawn."""
    return page.evaluate(PANEL_JS, [panel, key])


def title(page: Any) -> str:
    return page.text_content("#pb-title") or ""


def test_a_playlist_rotates_over_one_stream_and_keeps_hidden_dashboards_current(page: Any, tmp_path: Path) -> None:
    """The second dashboard's points arrive while it is hidden, undrawn, and are all there when it is shown.

    Rotated by the arrow keys (the timer is an hour): which dashboard is shown is the test's to say.
    """
    (tmp_path / "boards.yaml").write_text(BOARDS)
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(tmp_path / "boards.yaml")}).start()
    try:
        server.post([{"series": "a", "value": 0}, {"series": "b", "value": 0}])
        page.goto(server.url + "/?playlist=one,two&interval=1h&kiosk=1")
        wait_for(lambda: ys(page, "s0p0", "a") == [0], what="the first dashboard drawn")
        assert title(page) == "First"
        page.evaluate("window.__notReloaded = true")
        last = server.post([{"series": "a", "value": 1}, {"series": "b", "value": 1}]).json()["last_id"]
        wait_for(lambda: page.evaluate("window.pulseboard.lastId") == str(last), what="the frame")
        wait_for(lambda: ys(page, "s0p0", "a") == [0, 1], what="a's live point")
        assert ys(page, "s1p0", "b") is None and ys(page, "s1p1", "a") is None, "a hidden dashboard is not drawn"
        page.keyboard.press("ArrowRight")
        wait_for(lambda: title(page) == "Second", what="the second dashboard shown")
        wait_for(lambda: ys(page, "s1p0", "b") == [0, 1], what="b, kept current while hidden, drawn")
        wait_for(lambda: ys(page, "s1p1", "a") == [0, 1], what="a in the second dashboard")
        server.post([{"series": "a", "value": 2}, {"series": "b", "value": 2}])
        wait_for(lambda: ys(page, "s1p0", "b") == [0, 1, 2], what="b's live point")
        page.keyboard.press("ArrowRight")
        wait_for(lambda: title(page) == "First", what="back to the first dashboard")
        wait_for(lambda: ys(page, "s0p0", "a") == [0, 1, 2], what="a with the point that came while it was hidden")
        state = page.evaluate(
            "({reloaded: !window.__notReloaded, connects: window.pulseboard.connects,"
            " rotations: window.pulseboard.rotations, url: window.pulseboard.source.url})"
        )
        assert state == {"reloaded": False, "connects": 1, "rotations": 2, "url": state["url"]}
        assert "playlist=one%2Ctwo" in state["url"]
    finally:
        server.stop()


def test_a_playlist_turns_by_itself_every_interval(page: Any, tmp_path: Path) -> None:
    (tmp_path / "boards.yaml").write_text(BOARDS)
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(tmp_path / "boards.yaml")}).start()
    try:
        page.goto(server.url + "/d/one?playlist=one,two&interval=5s")
        wait_for(lambda: title(page) == "First", what="the first dashboard")
        page.evaluate("window.__notReloaded = true")
        wait_for(lambda: title(page) == "Second", timeout=30, what="the second, 5 s on")
        wait_for(lambda: title(page) == "First", timeout=30, what="the first again")
        assert page.evaluate("window.__notReloaded && window.pulseboard.connects") == 1
    finally:
        server.stop()


def test_a_bad_playlist_says_what_is_wrong(page: Any, tmp_path: Path) -> None:
    (tmp_path / "boards.yaml").write_text(BOARDS)
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(tmp_path / "boards.yaml")}).start()
    try:
        page.goto(server.url + "/?playlist=one,nope")
        page.wait_for_selector("text=There is no dashboard named 'nope'")
        page.goto(server.url + "/d/one?playlist=one,two&interval=1s")
        page.wait_for_selector("text=interval: 1s is outside 5 s to 24 h")
        page.goto(server.url + "/?playlist=one,two&from=now-1h&to=now")  # refused, not drawn live regardless
        page.wait_for_selector("text=a playlist shows its dashboards live, in turn")
        assert page.query_selector(".pb-slides") is None
        stream = httpx.get(f"{server.url}/api/stream?playlist=one,,two", headers={"Accept": "text/event-stream"})
        assert stream.status_code == 400 and "playlist" in stream.text
    finally:
        server.stop()


def test_a_drag_on_a_playlist_does_not_take_it_out_of_live(page: Any, tmp_path: Path) -> None:
    """A playlist is live only: a drag zooms the graph, as Plotly's own, and never asks for history or a range."""
    (tmp_path / "boards.yaml").write_text(BOARDS)
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(tmp_path / "boards.yaml")}).start()
    try:
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url) if "/api/history" in request.url else None)
        now = time.time()
        points = [{"series": "a", "ts": now - 60 + i, "value": float(i)} for i in range(60)]
        assert server.post(points).status_code == 200
        page.goto(server.url + "/?playlist=one,two&interval=1h")
        wait_for(lambda: len(ys(page, "s0p0", "a") or []) == 60, what="the first dashboard drawn")
        box = page.evaluate("""() => {
            const gd = document.getElementById(JSON.stringify({panel: 's0p0', type: 'pb-graph'}))
                .querySelector('.nsewdrag');
            const r = gd.getBoundingClientRect();
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }""")
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 3, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, y + 2, steps=8)
        page.mouse.move(box["x"] + 2 * box["width"] / 3, y + 2, steps=8)
        page.mouse.up()
        server.post([{"series": "a", "value": 60.0}])
        wait_for(lambda: (ys(page, "s0p0", "a") or [])[-1:] == [60.0], what="the next live point")
        assert "from=" not in page.url and asked == []
    finally:
        server.stop()
