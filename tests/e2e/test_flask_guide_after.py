"""The Flask guide's app after migration (examples/flask_guide/after), under real uvicorn and Chromium:
an order recorded on the host's own route is pushed, and the LiveGraph on the host's own page draws it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import ROOT, LiveServer, wait_for

AFTER = ROOT / "examples" / "flask_guide" / "after"
Y_JS = """() => Array.from(document.querySelectorAll('[data-pb-livegraph] .js-plotly-plot'))
    .flatMap((gd) => (gd.data || []).map((trace) => [trace.name, Array.from(trace.y || [])]))"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveServer]:
    """`uvicorn app:application`: the Quart site with app1 on it, app2 dispatched beside it, Pulseboard under /pulse."""
    server = LiveServer(tmp_path, env={"PYTHONPATH": str(ROOT)}, cwd=AFTER, target="app:application")
    server.prefix = "/pulse"
    server.start()
    try:
        yield server
    finally:
        server.stop()  # uvicorn re-raises SIGTERM once shut down: the exit code says signal 15
    # Both apps' lifespans answered (the dispatcher fans it out), so uvicorn shut down in order.
    assert "Application shutdown complete" in server.log.read_text()


def test_a_recorded_order_animates_on_the_hosts_page(site: LiveServer, browser: Any) -> None:
    base = f"http://127.0.0.1:{site.port}"
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/app1/")
    page.wait_for_selector("[data-pb-livegraph] .js-plotly-plot")
    wait_for(lambda: page.evaluate(Y_JS) == [], what="the LiveGraph drawn, empty")
    for amount in ("10", "12.5", "7"):
        assert httpx.post(f"{base}/orders", data={"amount": amount}, timeout=5).json() == {"recorded": float(amount)}
        wait_for(lambda a=float(amount): (page.evaluate(Y_JS) or [[None, [None]]])[0][1][-1] == a,
                 what=f"order {amount} drawn")
    assert page.evaluate(Y_JS) == [["orders.amount", [10.0, 12.5, 7.0]]]
    assert errors == []
    # The rest of the site: its page, the dispatched app2 with its async callback, Pulseboard's own page.
    assert httpx.get(f"{base}/", timeout=5).status_code == 200
    page.goto(f"{base}/app2/")
    page.wait_for_function("() => { const gd = document.querySelector('#population .js-plotly-plot');"
                           " return gd && gd.data && gd.data.length === 1 && gd.data[0].y[2] === 38; }")
    assert httpx.get(f"{base}/pulse/", timeout=5).status_code == 200
    page.close()
