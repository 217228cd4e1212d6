"""Who may do what: the ingest token, basic auth for the dashboard and its stream, the open-server warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright
from werkzeug.security import generate_password_hash

from live.access import check_token, parse_users
from live.config import ConfigError
from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, GRAPHS_JS, LiveServer, live_server, wait_for

TOKEN = "s3cret-token-1234"
POINT = {"series": "cpu", "value": 1.0}
WARNING = "no PULSEBOARD_INGEST_TOKEN"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    users = f"alice:{generate_password_hash('wonderland')},bob:{generate_password_hash('builder')}"
    # Every test here fails logins from 127.0.0.1; the limit on that is tests/app/test_logins.py's.
    env = {"PULSEBOARD_INGEST_TOKEN": TOKEN, "PULSEBOARD_USERS": users, "PULSEBOARD_LOGIN_FAILURES_PER_MINUTE": "1000"}
    with live_server(tmp_path_factory.mktemp("guarded"), env=env) as server:
        yield server


def test_ingest_needs_the_token_and_never_says_which_part_is_wrong(guarded: LiveServer) -> None:
    """No token is 401, any wrong one 403 with the same words; the right one stores the point."""
    assert guarded.post(POINT).status_code == 401
    wrong = [
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": TOKEN},
    ]
    answers = [guarded.post(POINT, headers=headers) for headers in wrong]
    assert {answer.status_code for answer in answers} == {403}
    assert len({answer.text for answer in answers}) == 1
    assert guarded.post(POINT).json() == answers[0].json()  # 401 and 403 say the same
    stored = guarded.post(POINT, headers={"Authorization": f"Bearer {TOKEN}"})
    assert stored.status_code == 200 and stored.json()["stored"] == 1


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/api/stream", "/assets/pulseboard.js"])
def test_dashboard_and_stream_need_a_login(guarded: LiveServer, path: str) -> None:
    """Without credentials, or with a wrong password, every dashboard route is 401; the stream is never served."""
    headers = {"Accept": "text/event-stream"}
    for auth in (None, ("alice", "wrong"), ("mallory", "wonderland"), ("alice", "builder")):
        answer = httpx.get(f"{guarded.url}{path}", headers=headers, auth=auth, timeout=10)
        assert answer.status_code == 401, (path, auth)
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")
        assert "text/event-stream" not in answer.headers["Content-Type"]


def test_no_warning_on_loopback(tmp_path: Path) -> None:
    """On loopback (uvicorn's default host) an open ingest is fine: no warning, even after requests."""
    with live_server(tmp_path) as server:
        assert server.post(POINT).status_code == 200
        assert WARNING not in server.log.read_text()


def test_a_login_opens_the_dashboard_and_the_stream(guarded: LiveServer) -> None:
    """With a user's password the page and the stream are served; health checks need nothing."""
    assert httpx.get(f"{guarded.url}/", auth=("alice", "wonderland"), timeout=10).status_code == 200
    headers = {"Accept": "text/event-stream"}
    with httpx.stream("GET", f"{guarded.url}/api/stream", headers=headers, auth=("bob", "builder"), timeout=10) as r:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        assert next(r.iter_bytes()).startswith(b": pulseboard")
    assert httpx.get(f"{guarded.url}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{guarded.url}/readyz", timeout=10).status_code == 200


@pytest.mark.browser
def test_browser_with_a_login_streams(guarded: LiveServer) -> None:
    """A browser that logged in gets its graphs and their live points (EventSource sends the credentials)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.post({"series": "login", "value": 1.0}, headers=headers).status_code == 200
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(http_credentials={"username": "alice", "password": "wonderland"})
            page = context.new_page()
            page.goto(guarded.url + "/")
            wait_for(lambda: page.evaluate("window.pulseboard.opens") >= 1, timeout=30, what="the stream to open")
            assert guarded.post({"series": "login", "value": 2.0}, headers=headers).status_code == 200
            wait_for(
                lambda: page.evaluate(GRAPHS_JS).get("login", {}).get("y", [])[-1:] == [2.0],
                timeout=30,
                what="the live point",
            )
        finally:
            browser.close()


def test_warns_when_open_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    """Listening on 0.0.0.0 with no token logs a warning at start-up; on loopback, or with a token, it does not."""
    for name in ("open", "token"):
        (tmp_path / name).mkdir()
    with live_server(tmp_path / "open", args=["--host", "0.0.0.0"]) as server:
        assert WARNING in server.log.read_text()
    env = {"PULSEBOARD_INGEST_TOKEN": TOKEN}
    with live_server(tmp_path / "token", env=env, args=["--host", "0.0.0.0"]) as server:
        assert WARNING not in server.log.read_text()


def test_token_check_is_exact() -> None:
    """Only `Bearer <token>` or `Token <token>` passes (any case of the scheme); missing is 401, anything else 403."""
    check_token("t", "Bearer t")
    check_token("t", "bearer t")
    check_token("t", "Token t")  # InfluxDB clients and Telegraf (issue 16)
    for header, status in (
        (None, 401),
        ("", 401),
        ("Bearer", 403),
        ("Bearer tt", 403),
        ("Token tt", 403),
        ("Basic t", 403),
    ):
        with pytest.raises(Exception) as denied:
            check_token("t", header)
        assert denied.value.status == status


def test_users_setting_names_a_bad_entry() -> None:
    """A user without a password hash fails at start-up, naming the user."""
    assert parse_users("") == {}
    with pytest.raises(ConfigError, match="'carol'"):
        parse_users(f"alice:{generate_password_hash('x')},carol:plaintext")
