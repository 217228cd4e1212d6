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
