"""Take the README's screenshots: deploy/dashboards.yaml fed by the built-in feed, in Debian's Chromium.

    .venv/bin/python docs/screenshots.py [OUT_DIR]   (default: docs/)

Five minutes of made-up history are posted first, so the lines are full; the feed adds the live end.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, LiveServer, wait_for  # noqa: E402

SHOTS = [
    # file name, path and query, viewport
    ("light.png", "/d/host?theme=light", (1920, 1080)),
    ("dark.png", "/d/host?theme=dark", (1920, 1080)),
    ("kiosk.png", "/d/host?kiosk=1&theme=dark", (1920, 1080)),
    ("phone.png", "/d/host?theme=light", (375, 812)),
]


SERIES = ["host.cpu_percent", "host.memory_percent", "host.net_recv_kib_s", "host.net_sent_kib_s"]


def history(server: LiveServer, seconds: int = 300) -> list[dict]:
    """Return a plausible few minutes before the feed's first points, ending at the values it sent."""
    rows = server.query(
        "SELECT s.name, MIN(p.ts), AVG(p.value) FROM points p JOIN series s ON s.id = p.series_id GROUP BY s.name"
    )
    first = {name: (ts, value) for name, ts, value in rows}
    points = []
    for n, name in enumerate(SERIES):
        start, level = first[name]
        for i in range(seconds, 0, -1):
            wave = math.sin(i / (23 + 9 * n)) + 0.5 * math.sin(i / (4.1 + n))
            value = level * (1 + (0.02 if "memory" in name else 0.25) * wave)
            points.append({"series": name, "ts": start - i, "value": max(0.0, min(100.0, value)) if n < 2 else value})
    return points


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    env = {"PULSEBOARD_DASHBOARDS": str(ROOT / "deploy/dashboards.yaml"), "PULSEBOARD_FEED": "true"}
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp), env=env).start()
        try:
            wait_for(lambda: len(server.query("SELECT DISTINCT series_id FROM points")) == len(SERIES), what="the feed")
            time.sleep(3)  # a few of the feed's points: a picture, not a test
            assert server.post(history(server)).status_code == 200
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, path, (width, height) in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(server.url + path)
                    wait_for(lambda page=page: page.evaluate(
                        "!!(window.pulseboard && (window.pulseboard.resets > 0 || window.pulseboard.mounted > 0))"),
                        what="the first points drawn")
                    page.wait_for_timeout(3000)  # a few frames and their animations: a picture, not a test
                    page.screenshot(path=str(out / name), full_page=width < 600)
                    page.close()
                    print(out / name)
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
