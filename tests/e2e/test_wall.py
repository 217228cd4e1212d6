"""The wall screen, in headless Chromium: kiosk mode's strip, panels that fill the screen, themes, the font."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live.figures import THEMES
from tests.e2e.test_dashboards import open_board
from tests.support.servers import GRAPHS_JS, LiveServer, live_server, wait_for

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
  - name: long
    title: Throughput_of_the_eu-west-1_ingest_pipeline_per_second_by_host
    panels:
      - title: Throughput_of_the_eu-west-1_ingest_pipeline_per_second_by_host
        series: ["req"]
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


def many_panels(count: int, columns: int) -> str:
    """Return a dashboards file with one dashboard of `count` panels: lines, stats and gauges, one 2x2."""
    panels = []
    for i in range(count):
        kind = ["line", "stat", "gauge"][i % 3] if i else "line"
        extra = "\n        min: 0\n        max: 100" if kind == "gauge" else ""
        size = "\n        width: 2\n        height: 2" if i == 0 else ""
        head = f'      - title: Panel {i}\n        series: ["s{i}"]\n        kind: {kind}'
        panels.append(f'{head}\n        unit: "%"{extra}{size}')
    return f"dashboards:\n  - name: big\n    columns: {columns}\n    panels:\n" + "\n".join(panels) + "\n"


# What does not fit: the page's overflow both ways, panels outside the screen, graphs not filling
# their panels, and panel bodies whose content overflows (the panel hides it, the user loses it).
FIT_JS = """() => {
    const scroller = document.scrollingElement;
    const out = {scrollHeight: scroller.scrollHeight, scrollWidth: scroller.scrollWidth,
                 width: innerWidth, height: innerHeight, outside: [], unfilled: [], overflowing: [], bottom: 0};
    for (const panel of document.querySelectorAll('.pb-panel')) {
        const box = panel.getBoundingClientRect();
        const title = panel.querySelector('.pb-panel-title').textContent;
        out.bottom = Math.max(out.bottom, box.bottom);
        if (box.bottom > innerHeight || box.right > innerWidth || box.left < 0 || box.top < 0) out.outside.push(title);
        const body = panel.querySelector('.pb-panel-body');
        const over = body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1;
        if (over) out.overflowing.push(title);
        const arc = panel.querySelector('.pb-gauge-arc');
        if (arc) {
            const half = arc.getBoundingClientRect();  // a half disc: twice as wide as high, inside its panel
            if (Math.abs(half.width - 2 * half.height) > 1 || half.top < box.top) out.unfilled.push([title, 'gauge']);
        }
        const svg = panel.querySelector('.pb-kind-line .main-svg');
        if (svg) {
            const drawn = svg.getBoundingClientRect(), room = body.getBoundingClientRect();
            if (drawn.height < room.height - 2 || drawn.width < room.width - 2 || drawn.bottom > room.bottom + 1) {
                out.unfilled.push([title, drawn.height, room.height]);
            }
        }
    }
    return out;
}"""


def assert_fits(page: Any) -> dict[str, Any]:
    fit = page.evaluate(FIT_JS)
    assert fit["scrollHeight"] <= fit["height"], fit
    assert fit["scrollWidth"] <= fit["width"], fit
    assert not fit["outside"] and not fit["unfilled"] and not fit["overflowing"], fit
    return fit


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
@pytest.mark.parametrize(("count", "columns"), [(16, 4), (32, 8)])
def test_in_kiosk_mode_the_panels_fill_the_screen_with_no_scrollbar(
    page: Any, tmp_path: Path, width: int, height: int, count: int, columns: int
) -> None:
    """16 or 32 panels, with data, at 1080p and 4K: nothing scrolls, nothing is cut, the grid reaches the bottom."""
    board = tmp_path / "big.yaml"
    board.write_text(many_panels(count, columns))
    page.set_viewport_size({"width": width, "height": height})
    with live_server(tmp_path, env={"PULSEBOARD_DASHBOARDS": str(board)}) as server:
        now = time.time()
        points = [{"series": f"s{i}", "value": 40 + i + j, "ts": now - 5 + j} for i in range(count) for j in range(5)]
        server.post(points)
        open_board(page, server, "big?kiosk=1")
        wait_for(lambda: len(page.evaluate(GRAPHS_JS)) >= count // 3, what="the lines drawn")
        wait_for(lambda: page.evaluate("document.querySelectorAll('.pb-kind-line .main-svg').length") >= count // 3,
                 what="every line panel's graph")
        wait_for(lambda: _settled_fit(page), what="every line's graph drawn at its panel's size")
        fit = assert_fits(page)
        assert fit["bottom"] >= 0.97 * height, fit  # filled, not just fitted
        if "PULSEBOARD_SHOTS" in os.environ:  # to look at: PULSEBOARD_SHOTS=/tmp/shots
            page.screenshot(path=f"{os.environ['PULSEBOARD_SHOTS']}/kiosk-{count}-{width}.png")


def _settled_fit(page: Any) -> dict[str, Any] | None:
    fit = page.evaluate(FIT_JS)
    return fit if not fit["unfilled"] else None


THEME_JS = """() => {
    const color = (el) => el && getComputedStyle(el).backgroundColor;
    return {
        theme: document.documentElement.dataset.theme,
        page: getComputedStyle(document.body).backgroundColor,
        strip: color(document.querySelector('.pb-header')),
        stripText: getComputedStyle(document.querySelector('#pb-title')).color,
        panels: Array.from(document.querySelectorAll('.pb-panel'), color),
        graphs: Array.from(document.querySelectorAll('.pb-panel .js-plotly-plot'),
                           (gd) => gd._fullLayout && [gd._fullLayout.paper_bgcolor, gd._fullLayout.font.color]),
    };
}"""


def test_the_theme_in_the_url_reaches_every_part_of_a_kiosk_page_and_panels_added_later(
    page: Any, wall_server: LiveServer, board_file: Path
) -> None:
    """?kiosk=1&theme=dark: the strip, every panel and every graph dark, and a panel the file adds later too."""
    dark = THEMES["dark"]
    wall_server.post([{"series": "cpu", "value": 12.5}, {"series": "req", "value": 1}])
    open_board(page, wall_server, "ops?kiosk=1&theme=dark")
    assert is_kiosk(page)
    wait_for(lambda: (lambda g: len(g) == 2 and all(g))(page.evaluate(THEME_JS)["graphs"]), what="both graphs drawn")
    shown = page.evaluate(THEME_JS)
    surface = rgb(dark["paper_bgcolor"])
    assert shown["theme"] == "dark"
    assert shown["strip"] == surface and set(shown["panels"]) == {surface}, shown
    assert shown["stripText"] == rgb(dark["font"]["color"])
    assert shown["page"] != rgb("#ffffff")
    assert len(shown["graphs"]) == 2  # the line and the stat's sparkline
    assert {tuple(graph) for graph in shown["graphs"]} == {(dark["paper_bgcolor"], dark["font"]["color"])}
    later = '      - title: Later\n        series: ["later"]\n      - title: Disk'
    board_file.write_text(BOARD.replace("      - title: Disk", later))
    wait_for(lambda: page.evaluate("document.querySelectorAll('.pb-panel').length") == 4, timeout=15, what="the edit")
    wall_server.post([{"series": "later", "value": 3}])
    wait_for(lambda: any(g["panel"] == "p2" for g in page.evaluate(GRAPHS_JS).values()), what="the new panel's line")
    shown = wait_for(lambda: (lambda s: s if len(s["graphs"]) == 3 and all(s["graphs"]) else None)(
        page.evaluate(THEME_JS)), what="the three graphs drawn")
    assert set(shown["panels"]) == {surface}, shown
    assert {tuple(graph) for graph in shown["graphs"]} == {(dark["paper_bgcolor"], dark["font"]["color"])}
    assert is_kiosk(page)
    assert_fits(page)


def rgb(hex_color: str) -> str:
    """Return a #rrggbb colour as getComputedStyle writes it."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("path", ["/d/ops", "/d/ops?kiosk=1", "/d/long", "/all", "/"])
def test_at_375_px_wide_no_page_scrolls_sideways(
    page: Any, wall_server: LiveServer, board_file: Path, path: str
) -> None:
    """A phone: the header wraps, the panels take the width one below another, long words break, nothing sticks out.

    With a bad edit's error on screen: it quotes the bad value, a long word.
    """
    bad = BOARD.replace("kind: stat", "kind: stat\n        thresholds: [{value: 1, color: " + "x" * 80 + "}]")
    wall_server.post([{"series": "req", "value": 1, "labels": {"host": "a-rather-long-host-name.example.org"}},
                      {"series": "cpu", "value": 99.123456}, {"series": "disk", "value": 50}])  # fmt: skip
    page.set_viewport_size({"width": 375, "height": 812})
    board_file.write_text(bad)

    def error_shown() -> bool:
        page.goto(wall_server.url + path)  # the server reads the edit within a few seconds: a page then shows it
        # Dash's pages router draws the page after the load event: wait for it, then look.
        page.wait_for_selector("#pb-error", state="attached", timeout=15_000)
        return page.is_visible("#pb-error")

    wait_for(error_shown, timeout=20, interval=0.5, what="the bad edit's error on the page")
    wait_for(lambda: page.evaluate("document.querySelectorAll('.pb-panel, .pb-graph, .pb-home-list li').length"),
             what="the page's content")
    if path != "/":
        wait_for(lambda: page.evaluate("!!document.querySelector('.main-svg')"),
                 what="a graph drawn")
    widths = page.evaluate(
        """() => ({scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
                   wide: Array.from(document.querySelectorAll('body *:not(svg *)'))
                       .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
                       .map((el) => el.tagName + '.' + el.className).slice(0, 5)})"""
    )
    assert widths["scroll"] <= widths["inner"] and not widths["wide"], widths



FONT_JS = """async () => {
    await document.fonts.ready;
    const value = document.getElementById(JSON.stringify({panel: 'p0', type: 'pb-value'}));
    const tick = document.querySelector('.pb-kind-line .ytick text');
    return {
        loaded: Array.from(document.fonts).filter((f) => f.status === 'loaded')
            .map((f) => f.family.replace(/"/g, '') + ' ' + f.weight),
        value: getComputedStyle(value).fontFamily,
        numeric: getComputedStyle(value).fontVariantNumeric,
        tick: tick && tick.style.fontFamily,
        requests: performance.getEntriesByType('resource').map((r) => r.name),
        widths: ['proportional-nums', 'tabular-nums'].map((numeric) => ['1111', '8888'].map((digits) => {
            const span = document.createElement('span');
            Object.assign(span.style, {font: '700 40px Inter', fontVariantNumeric: numeric, position: 'absolute'});
            span.textContent = digits;
            document.body.append(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        })),
    };
}"""


def test_the_page_and_its_graphs_use_the_one_font_it_ships(page: Any, wall_server: LiveServer) -> None:
    """Inter, from the app's own assets (no font service: wall screens are often offline), with tabular figures."""
    wall_server.post([{"series": "cpu", "value": 12.5}, {"series": "req", "value": 1}])
    open_board(page, wall_server)
    wait_for(lambda: page.evaluate("!!document.querySelector('.pb-kind-line .ytick text')"), what="a line's axis")
    font = page.evaluate(FONT_JS)
    assert {"Inter 400", "Inter 700"} <= set(font["loaded"]), font
    assert font["value"].startswith("Inter") and font["numeric"] == "tabular-nums", font
    assert font["tick"].startswith("Inter"), font  # Plotly's text: the figure's layout font
    assert all(url.startswith(wall_server.url) for url in font["requests"]), font["requests"]
    assert f"{wall_server.url}/assets/fonts/inter-latin-700-normal.woff2" in font["requests"]
    (ones, eights), (tabular_ones, tabular_eights) = font["widths"]
    assert ones < eights and tabular_ones == tabular_eights, font["widths"]  # the shipped file has its tnum feature


SIZES_JS = """() => {
    const size = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : null;
    const part = (kind, panel) => document.getElementById(JSON.stringify({panel: panel, type: kind}));
    return {
        root: size(document.documentElement),
        value: size(part('pb-value', 'p0')),
        gaugeValue: size(part('pb-value', 'p2')),
        heading: size(document.querySelector('#pb-title')),
        title: size(document.querySelector('.pb-panel-title')),
        age: size(part('pb-age', 'p0')),
        axis: size(document.querySelector('.pb-kind-line .ytick text')),
    };
}"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_a_kiosk_page_reads_from_across_the_room(page: Any, wall_server: LiveServer, width: int, height: int) -> None:
    """Values largest, then the title, panels' titles, what is said of a panel, axes smallest; grown with the screen."""
    wall_server.post([{"series": "cpu", "value": 12.5}, {"series": "req", "value": 1}, {"series": "disk", "value": 40}])
    page.set_viewport_size({"width": width, "height": height})
    open_board(page, wall_server, "ops?kiosk=1")
    wait_for(lambda: page.evaluate(SIZES_JS)["axis"], what="a line's axis")
    sizes = wait_for(lambda: (lambda s: s if s["axis"] > 12 else None)(page.evaluate(SIZES_JS)), what="kiosk's axes")
    order = ["value", "gaugeValue", "heading", "title", "age", "axis"]
    assert [sizes[key] for key in order] == sorted((sizes[key] for key in order), reverse=True), sizes
    assert sizes["title"] > sizes["age"] > sizes["axis"], sizes
    assert sizes["root"] >= 20 * width / 1920 - 1, sizes  # 16 px on a desktop; 20 at 1080p, 40 at 4K
    assert sizes["axis"] >= 0.7 * sizes["root"], sizes


AXIS_JS = """() => {
    const gd = document.querySelector('#pb-graphs .js-plotly-plot');
    const x = gd && gd.data && gd.data[0] && gd.data[0].x;
    return x && x.length ? {range: gd.layout.xaxis.range.map(Number), newest: x[x.length - 1],
        width: gd._fullLayout._size.w, settled: !gd._transitioning} : null;
}"""


def test_a_wall_graphs_time_axis_steps_a_few_pixels_at_a_time_and_every_point_stays_on_it(
    page: Any, wall_server: LiveServer
) -> None:
    """An hour of time on a graph ~1,800 px wide is 2 s a pixel: points a fraction of a second apart
    do not move the axis each (each move was an animated redraw of its ticks and grid), yet each
    lands inside it."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    start = time.time() - 3600
    wall_server.post({"points": [{"series": "cpu", "value": i % 7, "ts": start + i * 36} for i in range(100)]})
    open_board(page, wall_server, "wall")
    wait_for(lambda: page.evaluate(AXIS_JS), what="the graph")
    ranges = set()
    for i in range(8):
        ts = time.time()
        wall_server.post({"points": [{"series": "cpu", "value": i, "ts": ts}]})
        # Drawn: the point in gd.data, and the axis settled (Plotly writes its new range at the end).
        axis = wait_for(
            lambda ts=ts: (lambda a: a if a and a["newest"] == round(ts * 1000) and a["settled"] else None)(
                page.evaluate(AXIS_JS)
            ),
            what="the point drawn",
        )
        assert axis["range"][0] <= axis["newest"] <= axis["range"][1], axis
        ranges.add(tuple(axis["range"]))
    seconds_per_px = (axis["range"][1] - axis["range"][0]) / 1000 / axis["width"]
    assert seconds_per_px > 1, axis  # the premise: points well under a pixel apart
    assert len(ranges) <= 2, ranges  # one step at most while 8 points come in
