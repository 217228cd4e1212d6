"""The wall screen, in headless Chromium: kiosk mode's strip, panels that fill the screen, themes, the font."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboards import open_board
from tests.support.servers import LiveServer, wait_for

pytestmark = pytest.mark.browser

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
      - title: Requests
        series: ["req"]
        stale_seconds: 1
      - title: Disk
        series: ["disk"]
        kind: gauge
        min: 0
        max: 100
  - name: wall
    title: The wall
    kiosk: true
    panels:
      - title: CPU
        series: ["cpu"]
"""

CLOCK_JS = """() => {
    const pad = (n) => String(n).padStart(2, '0');
    const now = new Date(Date.now() + window.pulseboard.board.offset);
    return pad(now.getHours()) + ':' + pad(now.getMinutes());
}"""


@pytest.fixture
def board_file(tmp_path: Path) -> Path:
    path = tmp_path / "dashboards.yaml"
    path.write_text(BOARD)
    return path


@pytest.fixture
def wall_server(tmp_path: Path, board_file: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(board_file)}).start()
    try:
        yield server
    finally:
        server.stop()


def is_kiosk(page: Any) -> bool:
    return page.evaluate("!!document.querySelector('.pb-page.pb-kiosk')")


def test_kiosk_mode_leaves_a_strip_of_title_stale_count_state_and_clock(page: Any, wall_server: LiveServer) -> None:
    """?kiosk=1: no controls, no link home; the title, the stream's state, a clock and the stale panels."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.clock.install()  # runs with the real time until fast_forward
    wall_server.post([{"series": "req", "value": 1}])
    open_board(page, wall_server, "ops?kiosk=1")
    assert is_kiosk(page)
    assert not page.is_visible(".pb-home") and not page.is_visible("#pb-theme")
    header = page.locator(".pb-header").bounding_box()
    assert header["height"] <= 0.05 * 1080, header  # a thin strip
    assert page.is_visible("#pb-title") and page.text_content("#pb-title") == "Operations"
    wait_for(lambda: page.text_content("#pb-status") == "live", what="the stream's state")
    clock = page.locator("#pb-clock")
    wait_for(lambda: clock.text_content() == page.evaluate(CLOCK_JS), what="the clock at the server's time")
    # The point is older than stale_seconds (1 s) once the page has been open a second.
    wait_for(lambda: page.text_content("#pb-stale-count") == "1 stale panel", what="the stale count")
    assert page.is_visible("#pb-stale-count")
    shown = clock.text_content()
    page.clock.fast_forward("02:00")  # two minutes on, in the page alone
    wait_for(lambda: clock.text_content() == page.evaluate(CLOCK_JS) != shown, what="the clock to move on")


def test_a_dashboard_defined_with_kiosk_opens_in_kiosk_mode_unless_the_url_says_no(
    page: Any, wall_server: LiveServer
) -> None:
    open_board(page, wall_server, "wall")
    assert is_kiosk(page)
    open_board(page, wall_server, "wall?kiosk=0")
    assert not is_kiosk(page)
    assert page.is_visible("#pb-theme") and not page.is_visible("#pb-clock")
    assert page.text_content("#pb-stale-count") == ""
    assert not page.is_visible("#pb-stale-count")  # nothing stale: the count takes no room
