"""Pulseboard behind a real nginx at /pulse/, with deploy/nginx.conf as shipped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.support.deploy import PREFIX, Nginx, StreamReader, render_site, wait_for_graph
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, LiveServer, wait_for

OPEN_JS = "() => window.pulseboard && window.pulseboard.source && window.pulseboard.source.readyState === 1"
PROXY_ARGS = ["--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
# How each prefix style runs uvicorn, and whether nginx strips the prefix for it.
STYLES = {
    "app-prefix": ({"DASH_URL_BASE_PATHNAME": f"{PREFIX}/"}, [], False),
    "root-path": ({"DASH_REQUESTS_PATHNAME_PREFIX": f"{PREFIX}/"}, ["--root-path", PREFIX], True),
}


def proxied(tmp: Path, style: str, *, buffering: bool = False) -> Iterator[tuple[LiveServer, Nginx]]:
    """Run uvicorn in the given prefix style and nginx in front of it."""
    env, args, strip = STYLES[style]
    app = LiveServer(tmp, env, [*args, *PROXY_ARGS])
    app.prefix = "" if strip else PREFIX
    app.start()
    try:
        nginx = Nginx(tmp, lambda port: render_site(app.port, port, strip_prefix=strip, buffering=buffering))
        nginx.start()
        try:
            yield app, nginx
        finally:
            nginx.stop()
    finally:
        app.stop()


@pytest.fixture
def buffered(tmp_path: Path) -> Iterator[tuple[LiveServer, Nginx]]:
    """nginx with its default proxy_buffering on, even for the stream, and gzip on for event streams."""
    yield from proxied(tmp_path, "app-prefix", buffering=True)


async def test_frames_pass_one_by_one_with_nginx_buffering_on(buffered: tuple[LiveServer, Nginx]) -> None:
    """Each frame reaches a reader through nginx before the next point is sent: X-Accel-Buffering: no works."""
    app, nginx = buffered
    async with httpx.AsyncClient(base_url=nginx.url, timeout=10) as client:
        reader = await StreamReader(client, "/api/stream").open()
        try:
            assert reader.headers["content-type"].startswith("text/event-stream")
            assert reader.headers["content-encoding"] == "gzip"  # the site's compression did apply
            for value in range(12):
                answer = await client.post("/api/points", json=[{"series": "t", "ts": time.time(), "value": value}])
                assert answer.status_code == 200, answer.text
                # The next point goes only once this one's frame has come out of nginx.
                await reader.wait_for(
                    lambda r, n=value: r.values("t") == list(range(n + 1)), timeout=5, what=f"point {value}"
                )
        finally:
            await reader.close()
    ids = [int(event.id) for event in reader.events if event.event == "frame"]
    assert ids == sorted(set(ids))


async def test_uvicorn_logs_the_client_address_nginx_forwards(buffered: tuple[LiveServer, Nginx]) -> None:
    """With --proxy-headers and --forwarded-allow-ips, uvicorn sees the address nginx forwards, not nginx's."""
    app, nginx = buffered
    client_address = "203.0.113.7"  # TEST-NET-3: what a browser's address looks like to nginx
    answer = httpx.get(f"{nginx.url}/healthz", headers={"X-Forwarded-For": client_address})
    assert answer.status_code == 200
    wait_for(lambda: f'{client_address}:0 - "GET {PREFIX}/healthz' in app.log.read_text(), what="the access log line")


@pytest.fixture(params=list(STYLES))
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, Nginx]]:
    """nginx as shipped in front of uvicorn, in each prefix style."""
    yield from proxied(tmp_path, request.param)


@pytest.mark.browser
async def test_browser_at_subpath_draws_points_through_nginx(site: tuple[LiveServer, Nginx]) -> None:
    """A page loaded through nginx at /pulse/ draws points pushed through nginx, with no request failing."""
    app, nginx = site
    failures: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            # The series exists before the page loads, as on a running site: the page load draws it.
            async with httpx.AsyncClient(base_url=nginx.url, timeout=10) as client:
                assert (
                    await client.post("/api/points", json=[{"series": "t", "ts": time.time(), "value": 0}])
                ).is_success
            await page.goto(f"{nginx.url}/")
            # Polled, not per animation frame: a headless page may draw no frames while idle.
            await page.wait_for_function(OPEN_JS, timeout=20_000, polling=50)
            await wait_for_graph(page, "t", [0])
            stream = await page.evaluate("() => window.pulseboard.source.url")
            assert stream.startswith(f"{nginx.url}/api/stream?")
            async with httpx.AsyncClient(base_url=nginx.url, timeout=10) as client:
                for value in range(1, 5):
                    point = [{"series": "t", "ts": time.time(), "value": value}]
                    assert (await client.post("/api/points", json=point)).status_code == 200
            await wait_for_graph(page, "t", [0, 1, 2, 3, 4])
        finally:
            await browser.close()
    assert failures == []
