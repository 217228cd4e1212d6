"""`pip install` of the repository: a host app with its own app.py, routes/ and callbacks/ imports Pulseboard too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.install import install_pulseboard
from tests.support.servers import ROOT, LiveServer

HOST = ROOT / "tests" / "fixtures" / "host_app"
WHERE = """
import json, app, routes.health, callbacks, live, pulseboard, pulseboard.routes.health, pulseboard.callbacks
print(json.dumps({name: getattr(module, "__file__", None) for name, module in [
    ("app", app), ("routes", routes.health), ("callbacks", callbacks), ("live", live),
    ("pulseboard", pulseboard), ("pulseboard.routes", pulseboard.routes.health),
    ("pulseboard.callbacks", pulseboard.callbacks)]}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_pulseboard(tmp_path_factory.mktemp("install"))


@pytest.fixture
def installed_host(tmp_path: Path, site: Path) -> Iterator[LiveServer]:
    """The host app under uvicorn, finding Pulseboard installed only (the checkout is not on its path)."""
    server = LiveServer(tmp_path, env={"PYTHONPATH": str(site)}, cwd=HOST)
    server.prefix = "/pulse"
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_hosts_modules_and_pulseboards_are_each_their_own(site: Path, tmp_path: Path) -> None:
    """app, routes and callbacks are the host's; pulseboard, its routes and callbacks and live come from the install."""
    env = {"PYTHONPATH": str(site), "PULSEBOARD_DATABASE": str(tmp_path / "p.sqlite3"), "PULSEBOARD_FEED": "false"}
    out = subprocess.run([sys.executable, "-c", WHERE], cwd=HOST, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    files = {name: Path(path) for name, path in json.loads(out.stdout).items()}
    for name in ("app", "routes", "callbacks"):
        assert files[name].is_relative_to(HOST), name
    for name in ("live", "pulseboard", "pulseboard.routes", "pulseboard.callbacks"):
        assert files[name].is_relative_to(site), name


def test_the_installed_package_serves_its_routes_page_assets_and_script(installed_host: LiveServer) -> None:
    """From the install: routes under /pulse, the page and its assets, LiveGraph's script on the host's page."""
    base = f"http://127.0.0.1:{installed_host.port}"
    assert httpx.get(f"{base}/health", timeout=5).json() == {"host": "ok", "package": "routes.health"}
    assert installed_host.post({"series": "cpu.load", "value": 1}).status_code == 200
    assert httpx.get(f"{base}/pulse/", timeout=5).status_code == 200
    assert "Pulseboard" in httpx.get(f"{base}/pulse/assets/pulseboard.js", timeout=5).text
    page = httpx.get(f"{base}/app/", timeout=5).text
    script = re.search(r'src="(/app/_dash-component-suites/pulseboard/livegraph[^"]*)"', page)
    assert script is not None, page
    assert "EventSource" in httpx.get(base + script.group(1), timeout=5).text


def test_with_pulseboards_login_on_the_hosts_routes_stay_open(tmp_path: Path, site: Path) -> None:
    """PULSEBOARD_USERS guards Pulseboard's page and stream only; the host's 5 MiB upload and pages pass."""
    from werkzeug.security import generate_password_hash

    users = "alice:" + generate_password_hash("right", method="scrypt:1024:8:1")
    server = LiveServer(tmp_path, env={"PYTHONPATH": str(site), "PULSEBOARD_USERS": users}, cwd=HOST)
    server.prefix = "/pulse"
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        upload = httpx.post(f"{base}/upload", content=b"x" * (5 * 1024 * 1024), timeout=30)
        assert upload.status_code == 200 and upload.json() == {"size": 5 * 1024 * 1024}
        assert "X-Pulseboard-Worker" not in upload.headers
        assert httpx.get(f"{base}/app/", timeout=5).status_code == 200
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
        assert httpx.get(f"{base}/pulse/", timeout=5).status_code == 401
        stream = httpx.get(f"{base}/pulse/api/stream?series=a", headers={"Accept": "text/event-stream"}, timeout=5)
        assert stream.status_code == 401
        assert httpx.get(f"{base}/pulse/", auth=("alice", "right"), timeout=5).status_code == 200
    finally:
        server.stop()
