"""Pulseboard at a prefix: Dash's pages and Pulseboard's own routes move together, in both styles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.deploy import PREFIX, StreamReader
from tests.support.servers import LiveServer


def stream_url(layout: dict) -> str:
    """Return the stream URL the page's settings store hands the browser script."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "pb-settings":
                found.append(node["props"]["data"]["stream"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    assert len(found) == 1, found
    return found[0]


async def page_layout(client: httpx.AsyncClient, routes: str, pathname: str) -> dict:
    """Return the layout Dash's pages router draws for a browser at `pathname` (the page's content)."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = await client.post(f"{routes}_dash-update-component", json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def app_prefix(tmp_path: Path) -> Iterator[LiveServer]:
    """Pulseboard handling the prefix itself: DASH_URL_BASE_PATHNAME=/pulse/."""
    server = LiveServer(tmp_path, {"DASH_URL_BASE_PATHNAME": f"{PREFIX}/"})
    server.prefix = PREFIX
    server.start()
    yield server
    server.stop()


@pytest.fixture
def root_path(tmp_path: Path) -> Iterator[LiveServer]:
    """Pulseboard behind a proxy that strips the prefix: routes at /, uvicorn --root-path."""
    server = LiveServer(tmp_path, {"DASH_REQUESTS_PATHNAME_PREFIX": f"{PREFIX}/"}, ["--root-path", PREFIX])
    server.start()
    yield server
    server.stop()


async def test_app_prefix_moves_every_route(app_prefix: LiveServer) -> None:
    """With url_base_pathname, the page, Dash's endpoints and ingest, stream, health and metrics all sit under it."""
    origin = f"http://127.0.0.1:{app_prefix.port}"
    async with httpx.AsyncClient(base_url=origin, timeout=10) as client:
        page = await client.get(f"{PREFIX}/")
        assert page.status_code == 200
        assert f'"requests_pathname_prefix":"{PREFIX}/"' in page.text.replace("\\u002f", "/")
        layout = await page_layout(client, f"{PREFIX}/", f"{PREFIX}/")
        assert stream_url(layout) == f"{PREFIX}/api/stream"
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(f"{PREFIX}{path}")).status_code == 200, path
            assert (await client.get(path)).status_code == 404, path
        outside = await client.post("/api/points", json=[{"series": "t", "ts": time.time(), "value": 1}])
        assert outside.status_code in (404, 405)
        assert app_prefix.query("SELECT COUNT(*) FROM points") == [(0,)]

        reader = await StreamReader(client, f"{PREFIX}/api/stream").open()
        try:
            answer = await client.post(f"{PREFIX}/api/points", json=[{"series": "t", "ts": time.time(), "value": 7}])
            assert answer.status_code == 200
            await reader.wait_for(lambda r: r.values("t") == [7], what="the point on the prefixed stream")
        finally:
            await reader.close()


async def test_root_path_serves_at_root_and_links_under_prefix(root_path: LiveServer) -> None:
    """With --root-path and requests_pathname_prefix, routes answer at / and every link the page makes is prefixed."""
    async with httpx.AsyncClient(base_url=root_path.url, timeout=10) as client:
        page = await client.get("/")
        assert page.status_code == 200
        text = page.text.replace("\\u002f", "/")
        assert f'src="{PREFIX}/_dash-component-suites/' in text
        assert f'"requests_pathname_prefix":"{PREFIX}/"' in text
        layout = await page_layout(client, "/", f"{PREFIX}/")
        assert stream_url(layout) == f"{PREFIX}/api/stream"
        # uvicorn puts the root path in front of the path; Quart takes it off again to route.
        assert (await client.get("/readyz")).json()["status"] == "ok"
        assert (await client.get("/metrics")).status_code == 200

        reader = await StreamReader(client, "/api/stream").open()
        try:
            answer = await client.post("/api/points", json=[{"series": "t", "ts": time.time(), "value": 3}])
            assert answer.status_code == 200, answer.text
            await reader.wait_for(lambda r: r.values("t") == [3], what="the point on the stream")
        finally:
            await reader.close()
        assert json.loads(reader.events[0].data)  # the first event (a reset) is valid JSON
