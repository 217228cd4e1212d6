"""The app as `uvicorn app:server` runs it: page, settings, built-in feed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app import create_app
from live.config import ConfigError
from tests.support.servers import ROOT, LiveServer, wait_for


def test_uvicorn_serves_the_page_and_health(server: LiveServer) -> None:
    """A real uvicorn serves the Dash page, the API and health."""
    page = httpx.get(server.url + "/", timeout=5)
    assert page.status_code == 200
    assert "<title>Pulseboard</title>" in page.text
    assert httpx.get(server.url + "/healthz", timeout=5).json() == {"status": "ok"}
    assert server.post({"series": "a", "value": 1}).json()["last_id"] == 1
    assert httpx.get(server.url + "/readyz", timeout=5).json()["last_id"] == 1


def test_builtin_feed_fills_a_fresh_install(tmp_path: Path) -> None:
    """With no settings, host metrics flow in, so the first screen is live."""
    server = LiveServer(tmp_path, env={"PULSEBOARD_FEED": "true", "PULSEBOARD_FEED_INTERVAL_SECONDS": "0.1"}).start()
    try:
        names = wait_for(
            lambda: {name for (name,) in server.query("SELECT name FROM series")} >= {"host.cpu_percent"},
            what="host metrics in the database",
        )
        assert names
        assert {name for (name,) in server.query("SELECT name FROM series")} >= {
            "host.cpu_percent",
            "host.memory_percent",
            "host.net_recv_kib_s",
            "host.net_sent_kib_s",
        }
    finally:
        server.stop()


def test_default_database_path_works_on_a_fresh_checkout(tmp_path: Path) -> None:
    """The default database lands in instance/ under the working directory, created on first run."""
    script = "import asyncio, app; live = app.server.extensions['pulseboard']; print(live.config['DATABASE'])"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "instance/pulseboard.sqlite3"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"FRAME_RATE": "fast"}, "PULSEBOARD_FRAME_RATE"),
        ({"FRAME_RATE": 4, "ANIMATION_MS": 400}, "PULSEBOARD_ANIMATION_MS"),
        ({"ANIMATION_EASING": "wobbly"}, "PULSEBOARD_ANIMATION_EASING"),
        ({"FEED": "maybe"}, "PULSEBOARD_FEED"),
        ({"NOT_A_SETTING": 1}, "NOT_A_SETTING"),
        ({"DATABASE": "postgresql:points"}, "PULSEBOARD_DATABASE"),
        ({"DATABASE": "mysql:points"}, "PULSEBOARD_DATABASE"),
        ({"DATABASE": "sqlite://host/points"}, "PULSEBOARD_DATABASE"),
        ({"MAX_LABEL_BYTES": 10}, "PULSEBOARD_MAX_LABEL_BYTES"),
        ({"STREAM_QUEUE_BYTES": 100}, "PULSEBOARD_STREAM_QUEUE_BYTES"),
        ({"STREAM_SEND_BUFFER_BYTES": 100}, "PULSEBOARD_STREAM_SEND_BUFFER_BYTES"),
        ({"STREAM_SEND_BUFFER_BYTES": False}, "PULSEBOARD_STREAM_SEND_BUFFER_BYTES"),
    ],
)
def test_bad_settings_fail_at_start_naming_the_key(overrides: dict[str, object], key: str) -> None:
    """A bad setting stops the factory with its name, not a crash later."""
    with pytest.raises(ConfigError, match=key):
        create_app(overrides)


def test_bad_environment_stops_uvicorn_with_the_key(tmp_path: Path) -> None:
    """PULSEBOARD_* variables are read as JSON where they parse, and checked at start-up."""
    env = {"PULSEBOARD_FRAME_RATE": "0", "PULSEBOARD_DATABASE": str(tmp_path / "x.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env={**__import__("os").environ, **env}, capture_output=True
    )
    assert result.returncode != 0
    assert b"PULSEBOARD_FRAME_RATE" in result.stderr
