"""A running app driven from a plain event loop, so hypothesis (which cannot await) can post to it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers


@dataclass
class AppTarget:
    """Quart's test client on a started app, and a reader of its database."""

    loop: asyncio.AbstractEventLoop
    client: Any
    db: sqlite3.Connection

    def post(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> tuple[int, Headers, bytes]:
        """POST a body; return the status, the headers (any case) and the body of the answer."""

        async def send() -> tuple[int, Headers, bytes]:
            response = await self.client.post(path, data=body, headers=dict(headers or {}))
            return response.status_code, response.headers, await response.get_data()

        return self.loop.run_until_complete(send())

    def last_id(self) -> int:
        """Return the newest event id handed out (0 before any)."""
        rows = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'points'").fetchall()
        return rows[0][0] if rows else 0

    def count(self) -> int:
        """Return how many points are stored."""
        return self.db.execute("SELECT COUNT(*) FROM points").fetchone()[0]


@contextmanager
def app_target(directory: Path, config: Mapping[str, Any]) -> Iterator[AppTarget]:
    """Start an app with its own database for the block."""
    from app import create_app

    database = str(directory / "target.sqlite3")
    loop = asyncio.new_event_loop()
    server = create_app({"FEED": False, **config, "DATABASE": database}).server
    context = server.test_app()
    test_app = loop.run_until_complete(context.__aenter__())
    db = sqlite3.connect(database, isolation_level=None)  # autocommit: each read sees the newest commit
    try:
        yield AppTarget(loop, test_app.test_client(), db)
    finally:
        db.close()
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()
