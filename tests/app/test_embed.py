"""Pulseboard embedded in a host's Quart app: its routes under a prefix, nothing leaking onto the host's."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dash import html
from quart import Blueprint, Quart, jsonify, request
from werkzeug.security import generate_password_hash

from live.model import InvalidInput
from pulseboard import Pulseboard, quart_dash
from pulseboard.embed import WORKER_HEADER
from tests.app.test_stream import next_of
from tests.support.sse import events

ALICE = generate_password_hash("right", method="scrypt:1024:8:1")
SIX_MIB = b"x" * (6 * 1024 * 1024)


def host_app(tmp: Path, **settings: Any) -> tuple[Quart, Pulseboard]:
    """A host app as a user writes it: its own blueprint named health, an upload route, its own Dash app."""
    server = Quart(__name__)
    health = Blueprint("health", __name__)

    @health.get("/health")
    async def host_health() -> Any:
        return jsonify(host="ok")

    server.register_blueprint(health)

    @server.post("/upload")
    async def upload() -> Any:
        return jsonify(size=len(await request.get_data()))

    own = quart_dash(server, url_base_pathname="/app1/")
    own.layout = html.Div("host page")
    pulse = Pulseboard({"DATABASE": str(tmp / "points.sqlite3"), "FEED": False, **settings})
    pulse.init_app(server, prefix="/pulse", dashboard=True)
    return server, pulse


@pytest.fixture
async def host(tmp_path: Path) -> AsyncIterator[tuple[Quart, Pulseboard]]:
    server, pulse = host_app(tmp_path)
    async with server.test_app():
        yield server, pulse


async def test_routes_and_page_live_under_the_prefix_beside_a_host_blueprint_named_health(host: Any) -> None:
    """The host's `health` blueprint and its Dash app stand; Pulseboard answers under /pulse, its page too."""
    server, _pulse = host
    client = server.test_client()
    assert await (await client.get("/health")).get_json() == {"host": "ok"}
    assert (await client.get("/pulse/healthz")).status_code == 200
    assert (await client.get("/pulse/readyz")).status_code == 200
    page = await client.get("/pulse/")
    assert page.status_code == 200 and "Pulseboard" in await page.get_data(as_text=True)
    assert (await client.get("/app1/")).status_code == 200
    answer = await client.post("/pulse/api/points", json={"series": "cpu", "value": 1})
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    assert "health" in server.blueprints and "pulseboard.health" in server.blueprints


async def test_the_host_keeps_its_own_body_limit_and_headers(host: Any) -> None:
    """A 6 MiB upload to the host's route passes (Pulseboard's 4 MiB is its routes' alone); no worker header there."""
    server, _pulse = host
    client = server.test_client()
    upload = await client.post("/upload", data=SIX_MIB)
    assert upload.status_code == 200 and (await upload.get_json())["size"] == len(SIX_MIB)
    assert WORKER_HEADER not in upload.headers
    big = await client.post("/pulse/api/points", data=SIX_MIB, headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert WORKER_HEADER in (await client.get("/pulse/healthz")).headers


async def test_login_covers_pulseboards_routes_only(tmp_path: Path) -> None:
    """With PULSEBOARD_USERS, the host's routes stay open; Pulseboard's page asks for a login."""
    server, _pulse = host_app(tmp_path, USERS=f"alice:{ALICE}")
    async with server.test_app():
        client = server.test_client()
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/app1/")).status_code == 200
        assert (await client.post("/upload", data=b"abc")).status_code == 200
        assert (await client.get("/pulse/")).status_code == 401
        assert (await client.get("/pulse/healthz")).status_code == 200  # public: load balancers
        login = {"Authorization": "Basic " + base64.b64encode(b"alice:right").decode()}
        assert (await client.get("/pulse/", headers=login)).status_code == 200


async def test_two_pulseboards_keep_their_own_databases(tmp_path: Path) -> None:
    """Two Pulseboards on one app, each its prefix and database: a point pushed to one is stored in it only."""
    server = Quart(__name__)
    first = Pulseboard({"DATABASE": str(tmp_path / "a.sqlite3"), "FEED": False})
    second = Pulseboard({"DATABASE": str(tmp_path / "b.sqlite3"), "FEED": False})
    first.init_app(server, "/a", dashboard=False)
    second.init_app(server, "/b", dashboard=False)
    async with server.test_app():
        client = server.test_client()
        assert (await client.post("/a/api/points", json={"series": "only_a", "value": 1})).status_code == 200
        await second.push("only_b", 2)
        rows_a = await first.live.store.between(0, 10**9)
        rows_b = await second.live.store.between(0, 10**9)
        assert [row.series for row in rows_a] == ["only_a"]
        assert [row.series for row in rows_b] == ["only_b"]
        ready = await (await client.get("/b/readyz")).get_json()
        assert ready["last_id"] == rows_b[-1].id
        # Each one's stream is its own: /b's first event (a reset) holds b's series only.
        async with client.request("/b/api/stream", headers={"Accept": "text/event-stream"}) as connection:
            await connection.send_complete()
            reader = events(connection.receive)
            reset = await next_of(reader, "reset")
            assert set(reset.json()["traces"]) == {"only_b"}
            await connection.disconnect()


async def test_push_validates_as_http_ingest_and_returns_what_was_stored(host: Any) -> None:
    """numpy numbers and datetimes are taken; garbage is refused naming the field, and nothing is stored."""
    _server, pulse = host
    when = dt.datetime.now(dt.UTC)
    commit = await pulse.push("cpu.load", np.float32(0.5), ts=when, labels={"host": "a"})
    (row,) = commit.rows
    assert (row.series, row.value, round(row.ts, 3)) == ("cpu.load", 0.5, round(when.timestamp(), 3))
    many = await pulse.push_many([("cpu.load", np.int64(3)), {"series": "mem", "value": 2.5}])
    assert [(row.series, row.value) for row in many.rows] == [("cpu.load", 3.0), ("mem", 2.5)]
    with pytest.raises(InvalidInput, match="value") as refused:
        await pulse.push("cpu.load", "lots")
    assert refused.value.field == "value"
    with pytest.raises(InvalidInput):
        await pulse.push_many([("ok", 1), ("", 2)])
    assert len(await pulse.live.store.between(0, 10**9)) == 3


async def test_push_threadsafe_stores_from_a_thread_and_refuses_the_loop(host: Any) -> None:
    """Sync code in a thread waits for the commit; on the loop itself it is told to await push instead."""
    _server, pulse = host
    commit = await asyncio.to_thread(pulse.push_threadsafe, "from_thread", 7)
    assert [row.value for row in commit.rows] == [7.0]
    with pytest.raises(RuntimeError, match="await pulse.push"):
        pulse.push_threadsafe("on_loop", 1)


async def test_create_apps_docstring_example_starts_and_stores() -> None:
    """The example in create_app's docstring (an in-memory database) starts, takes a point and is ready."""
    from app import create_app

    app = create_app({"DATABASE": ":memory:", "FEED": False})
    async with app.server.test_app():
        client = app.server.test_client()
        assert (await client.post("/api/points", json={"series": "a", "value": 1})).status_code == 200
        assert (await client.get("/readyz")).status_code == 200


def test_a_second_dashboard_on_one_app_is_refused_naming_the_fix(tmp_path: Path) -> None:
    """Dash's page registry is one per process: a second Pulseboard page on the app is a clear error, not a mix-up."""
    from live.config import ConfigError

    server = Quart(__name__)
    Pulseboard({"DATABASE": str(tmp_path / "a.sqlite3")}).init_app(server, "/a")
    with pytest.raises(ConfigError, match="dashboard=False"):
        Pulseboard({"DATABASE": str(tmp_path / "b.sqlite3")}).init_app(server, "/b")
