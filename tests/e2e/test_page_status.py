"""The page's status line when its stream fails, in headless Chromium: signed out, or the server unreachable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from tests.support.servers import LiveServer, wait_for

pytestmark = pytest.mark.browser
# Every refusal here comes from 127.0.0.1; the limit on that is tests/app/test_logins.py's.
OPEN_LOGINS = {"PULSEBOARD_LOGIN_FAILURES_PER_MINUTE": "1000"}


def _status(page: Any) -> str:
    return page.text_content("#pb-status") or ""


def _open(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    wait_for(lambda: _status(page) == "live", timeout=30, what="the stream to open")


def test_a_page_open_while_the_password_changes_says_signed_out(tmp_path: Path, browser: Any) -> None:
    """The server comes back with other users: the page's stream gets 401s, and the page says it is signed out."""
    users = {"PULSEBOARD_USERS": f"alice:{generate_password_hash('wonderland')}", **OPEN_LOGINS}
    server = LiveServer(tmp_path, env=users).start()
    context = browser.new_context(http_credentials={"username": "alice", "password": "wonderland"})
    try:
        page = context.new_page()
        _open(page, server)
        server.stop()
        changed = {"PULSEBOARD_USERS": f"alice:{generate_password_hash('looking-glass')}", **OPEN_LOGINS}
        port, server = server.port, LiveServer(tmp_path, env=changed)
        server.port = port  # the same address and database: the page's stream comes back to it
        server.start()
        wait_for(lambda: _status(page) == "signed out", timeout=30, what="the page to say it is signed out")
        # It keeps trying, backing off: each try and its probe a 401.
        tries = page.evaluate("window.pulseboard.connects")
        wait_for(lambda: page.evaluate("window.pulseboard.connects") > tries, timeout=30, what="another try")
        assert _status(page) == "signed out"
    finally:
        context.close()
        server.stop()


def test_a_page_whose_server_is_down_says_since_when(tmp_path: Path, page: Any) -> None:
    """The server stops and stays away: past the browser's first failed retry, the page says since when."""
    server = LiveServer(tmp_path).start()
    try:
        _open(page, server)
    finally:
        server.stop()
    wait_for(lambda: _status(page).startswith("server unreachable since "), timeout=30, what="the page to say so")
