"""End to end: points pushed over HTTP, read back from the graphs' gd.data in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.servers import GRAPHS_JS, LiveServer, live_server, pace, wait_for

pytestmark = pytest.mark.browser
WINDOW = 1000


def open_dashboard(page: Any, server: LiveServer) -> None:
    """Load the page and wait until its stream is live."""
    page.goto(server.url + "/")
    wait_for(
        lambda: page.evaluate(
            "!!(window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1)"
        ),
        what="the stream to open",
    )


def screen_matches_database(page: Any, server: LiveServer, series: list[str]) -> bool:
    """Tell whether each graph shows exactly its series' window in the database."""
    graphs = page.evaluate(GRAPHS_JS)
    for name in series:
        xs, ys = server.window(name, WINDOW)
        if name not in graphs or (graphs[name]["x"], graphs[name]["y"]) != (xs, ys):
            return False
    return True


def test_every_point_appears_once_in_order(page: Any, server: LiveServer) -> None:
    """Points pushed one by one, into a known and a brand-new series, each show once, in order."""
    server.post([{"series": "known", "value": -1}])
    open_dashboard(page, server)
    for i in range(40):
        server.post([{"series": "known", "value": i}])
        if i % 4 == 0:
            server.post([{"series": "brand-new", "value": i}])
    wait_for(
        lambda: screen_matches_database(page, server, ["known", "brand-new"]),
        timeout=15,
        what="both graphs to equal the database",
    )
    graphs = page.evaluate(GRAPHS_JS)
    assert graphs["known"]["y"] == [-1, *range(40)]
    assert graphs["brand-new"]["y"] == list(range(0, 40, 4))
    assert graphs["brand-new"]["shownTitle"] == "brand-new"


def test_updates_merged_while_a_graph_animates_leave_the_window(page: Any, tmp_path: Any) -> None:
    """Bursts that overflow a 5-point window, and a batch larger than it, leave exactly the window.

    Frames arrive while the graph still animates the last one, so the page merges their
    updates (appends, drops, a replacement of the whole window) into one Patch.
    """
    # 10 frames/s, each animated for 100 ms: a graph's draw (animation, then Plotly's redraw
    # and relayout) outlasts the frame interval, so frames come in while it is busy.
    env = {"PULSEBOARD_WINDOW_POINTS": "5", "PULSEBOARD_FRAME_RATE": "10", "PULSEBOARD_ANIMATION_MS": "100"}
    with live_server(tmp_path, env=env) as server:
        server.post([{"series": "small", "value": -1}])
        open_dashboard(page, server)
        wait_for(lambda: "small" in page.evaluate(GRAPHS_JS), what="the graph")
        merged = "() => window.pulseboard.merges"

        def send(i: int) -> None:
            server.post([{"series": "small", "value": i}])
            if i == 20:
                server.post([{"series": "small", "value": 100 + k} for k in range(8)])

        pace(20, 30, send)
        wait_for(lambda: page.evaluate(GRAPHS_JS)["small"]["y"] == [25, 26, 27, 28, 29], what="the last window")
        assert (page.evaluate(GRAPHS_JS)["small"]["x"], [25, 26, 27, 28, 29]) == server.window("small", 5)
        assert page.evaluate(merged) > 0, "no update was merged: the test did not exercise merging"


# For a while, requestAnimationFrame callbacks wait 1.5 s: a tab in the background, a renderer hung.
STALL_JS = """(() => {
    const raf = window.requestAnimationFrame.bind(window);
    let until = 0;
    window.requestAnimationFrame = (callback) =>
        Date.now() < until ? setTimeout(() => raf(callback), 1500) : raf(callback);
    window.stallFrames = (ms) => { until = Date.now() + ms; };
})()"""

# Patches the script hands the graph, and Plotly draws of it (the graph's own copies included).
COUNT_DRAWS_JS = """() => {
    window.counts = {patches: 0, draws: 0};
    const setProps = window.dash_clientside.set_props;
    window.dash_clientside.set_props = (id, props) => {
        if (props.figure && id.type === "pb-graph") window.counts.patches += 1;  // one graph on the page
        return setProps(id, props);
    };
    for (const name of ["animate", "react"]) {
        const draw = window.Plotly[name];
        window.Plotly[name] = function (gd) {
            window.counts.draws += 1;
            return draw.apply(this, arguments);
        };
    }
}"""


def test_a_stalled_graph_draws_each_patch_once_and_catches_up(page: Any, server: LiveServer) -> None:
    """After its animations stall for 5 s, a graph still draws each patch once, and ends equal to the database.

    dcc.Graph copies each relayout that differs from its figure prop back into the prop. The
    ranges Plotly.animate relayouts at the end of an animation differ whenever a newer patch
    is already queued, which a stall brings about; each copy was one more queued draw of a
    whole figure, for as long as points came (the heap and the lag grew without bound).
    """
    server.post([{"series": "stalled", "value": -1}])
    page.add_init_script(STALL_JS)
    open_dashboard(page, server)
    wait_for(lambda: "stalled" in page.evaluate(GRAPHS_JS), what="the graph")
    page.evaluate(COUNT_DRAWS_JS)

    def send(i: int) -> None:
        server.post([{"series": "stalled", "value": i}])
        if i == 30:
            page.evaluate("window.stallFrames(5000)")

    pace(10, 150, send)
    wait_for(lambda: screen_matches_database(page, server, ["stalled"]), timeout=20, what="the graph to catch up")
    counts = page.evaluate("window.counts")
    assert counts["patches"] > 10, counts
    assert counts["draws"] == counts["patches"], counts


def test_layout_only_patch_shows_on_an_animated_graph(page: Any, server: LiveServer) -> None:
    """The theme control's layout-only Patch is drawn, and the graph still animates new points after."""
    server.post([{"series": "a", "value": v} for v in (1, 2, 3)])
    open_dashboard(page, server)
    wait_for(lambda: "a" in page.evaluate(GRAPHS_JS), what="graph a")
    background = (
        "() => getComputedStyle(document.querySelector('#pb-graphs .js-plotly-plot .main-svg')).backgroundColor"
    )
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.get_by_role("radio", name="dark", exact=True).check()
    wait_for(lambda: page.evaluate(background) == "rgb(23, 28, 35)", what="the dark background to be drawn")
    page.evaluate(
        "() => { window.animated = 0;"
        " document.querySelector('#pb-graphs .js-plotly-plot')"
        ".on('plotly_animated', () => { window.animated += 1; }); }"
    )
    server.post([{"series": "a", "value": 4}])
    wait_for(lambda: page.evaluate(GRAPHS_JS)["a"]["y"] == [1, 2, 3, 4], what="the next point")
    wait_for(lambda: page.evaluate("window.animated") >= 1, what="the next point to be animated in")
    assert page.evaluate(background) == "rgb(23, 28, 35)"


@pytest.mark.slow
def test_screen_keeps_up_for_a_minute_at_ten_points_a_second(page: Any, server: LiveServer) -> None:
    """At 10 points/s for 60 s the screen never falls behind by more than about a frame, and ends equal."""
    server.post([{"series": "steady", "value": -1}])
    open_dashboard(page, server)
    wait_for(lambda: "steady" in page.evaluate(GRAPHS_JS), what="the graph")
    lags: list[int] = []

    def send(i: int) -> None:
        server.post([{"series": "steady", "value": i}])
        shown = page.evaluate(GRAPHS_JS)["steady"]["y"]
        lags.append(i - int(shown[-1]))

    pace(10, 600, send)
    wait_for(lambda: screen_matches_database(page, server, ["steady"]), timeout=10, what="the screen to catch up")
    # A frame is 200 ms (2 points) plus its 120 ms animation: a few points at most, however long
    # it runs. With patches piling up behind animations the lag grows without bound instead.
    assert max(lags[-100:]) <= 10, f"lag in the last 10 s: {lags[-100:]}"
    assert max(lags[-100:]) <= max(lags[:100]) + 5, "the lag grew over the minute"


def test_the_page_draws_with_the_plotly_it_ships_and_never_fetches_the_full_bundle(
    page: Any, server: LiveServer
) -> None:
    """assets/vendor/plotly-basic.min.js is window.Plotly before the first graph mounts, so dcc.Graph
    does not load the plotly package's 4.8 MB plotly.min.js (evaluating it was a 1.3-1.9 s task)."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    server.post({"points": [{"series": "cpu", "value": v} for v in (1.0, 2.0)]})
    open_dashboard(page, server)
    wait_for(lambda: len(page.evaluate(GRAPHS_JS).get("cpu", {}).get("y", [])) == 2, what="the points drawn")
    assert page.evaluate("() => window.Plotly.version") == "4.1.1"
    assert any("assets/vendor/plotly-basic.min.js" in url for url in fetched), fetched
    assert not any(url.split("?")[0].endswith("/plotly.min.js") for url in fetched), fetched
