"""The database file deleted or replaced under a running server: 503 naming why, not ready, logged loudly (issue 13).

Before, posts went on answering 200 into a file nobody could open again, /readyz said "ok", and
after a restart every point, acknowledged ones included, was gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.support.servers import LiveServer

POINT = {"series": "cpu", "value": 1.0}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path).start()
    try:
        assert live.post(POINT).status_code == 200
        yield live
    finally:
        live.stop()


def check_refused(server: LiveServer, words: str) -> None:
    answer = server.post(POINT)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert words in answer.json()["error"]
    ready = httpx.get(f"{server.url}/readyz", timeout=10)
    assert ready.status_code == 503 and words in ready.json()["error"]
    assert words in server.log.read_text()  # logged, not only answered


def test_a_deleted_database_is_503_and_not_ready(server: LiveServer) -> None:
    """rm of the database under a running server: every write refused, /readyz says why."""
    Path(server.database).unlink()
    check_refused(server, "was deleted or moved away while Pulseboard had it open")
    assert not Path(server.database).exists()


def test_a_replaced_database_is_503_and_not_ready(server: LiveServer, tmp_path: Path) -> None:
    """Another file moved over the database (a restore, a copy from elsewhere): not the file being written."""
    other = tmp_path / "restored.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
    other.replace(server.database)
    check_refused(server, "was replaced by another file")
