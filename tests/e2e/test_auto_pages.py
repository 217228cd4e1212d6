"""The automatic dashboard in pages of AUTO_MAX_PANELS names, in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import GRAPHS_JS, LiveServer, wait_for

pytestmark = pytest.mark.browser


def test_each_page_draws_its_own_names_and_says_where_the_others_are(page: Any, tmp_path: Path) -> None:
    server = LiveServer(tmp_path, env={"PULSEBOARD_AUTO_MAX_PANELS": "2"}).start()
    try:
        server.post([{"series": name, "value": 1} for name in ("a", "b", "c")])
        page.goto(server.url + "/")
        wait_for(lambda: set(page.evaluate(GRAPHS_JS)) == {"a", "b"}, what="the first page's two names")
        assert "Series names 1–2 of 3" in page.text_content(".pb-left-out")
        page.click("text=next page")
        wait_for(lambda: set(page.evaluate(GRAPHS_JS)) == {"c"}, what="the second page's name")
        server.post([{"series": "a", "value": 2}, {"series": "c", "value": 2}])
        wait_for(lambda: page.evaluate(GRAPHS_JS)["c"]["y"] == [1, 2], what="the second page's live point")
        assert set(page.evaluate(GRAPHS_JS)) == {"c"}
        assert "page=2" in page.evaluate("window.pulseboard.source.url")
    finally:
        server.stop()


SLOT_JS = "(panel) => document.getElementById(JSON.stringify({panel: panel, type: 'pb-slot'})).scrollIntoView()"
MARK_JS = "(mark) => document.getElementById(JSON.stringify({panel: 'p0', type: 'pb-graph'})).__pbMark = mark"
MARKED_JS = "() => document.getElementById(JSON.stringify({panel: 'p0', type: 'pb-graph'})).__pbMark"


def test_graphs_are_made_on_screen_and_a_new_name_leaves_the_others_in_place(page: Any, tmp_path: Path) -> None:
    """Off-screen panels are made when scrolled to, with the points that came meanwhile (issue 13, finding 1)."""
    server = LiveServer(tmp_path).start()
    try:
        server.post([{"series": f"s{index:02d}", "value": index} for index in range(12)])
        page.set_viewport_size({"width": 600, "height": 700})  # one column: two panels a screen
        page.goto(server.url + "/")
        wait_for(lambda: "s00" in page.evaluate(GRAPHS_JS), what="the first panel")
        assert "s11" not in page.evaluate(GRAPHS_JS)  # eleven panels down: not made
        page.evaluate(MARK_JS, 1)
        server.post([{"series": "new", "value": 1}, {"series": "s11", "value": 99}])
        wait_for(lambda: page.evaluate("window.pulseboard.panels.has('new')"), what="the new name's panel")
        page.evaluate(SLOT_JS, "p11")
        wait_for(lambda: page.evaluate(GRAPHS_JS).get("s11", {}).get("y") == [11, 99], what="s11 made, with its point")
        page.evaluate(SLOT_JS, "p12")
        wait_for(lambda: page.evaluate(GRAPHS_JS).get("new", {}).get("y") == [1], what="the new name's graph")
        # The first graph was never made again: appending to the grid remounted every graph in it.
        assert page.evaluate(MARKED_JS) == 1
    finally:
        server.stop()
