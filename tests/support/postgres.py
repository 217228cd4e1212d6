"""A database of its own for each test, on the PostgreSQL server .ci/run makes sure of.

PULSEBOARD_TEST_POSTGRES names the server (a URL to its maintenance database); each database is
made with a unique name and dropped afterwards, with any connection a test left open.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import asyncpg

SERVER = os.environ.get("PULSEBOARD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str, server: str = SERVER) -> str:
    """Return the URL of database `name` on the server."""
    return server.rsplit("/", 1)[0] + "/" + name


async def _admin_async(sql: str, server: str) -> None:
    db = await asyncpg.connect(server, timeout=10)
    try:
        await db.execute(sql)
    finally:
        await db.close()


def _admin(sql: str, server: str) -> None:
    # In a thread of its own: a fixture may be asked for inside a running event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin_async(sql, server)).result()


def create_database(server: str = SERVER) -> str:
    """Create an empty database with a unique name; return its URL."""
    name = f"pulseboard_test_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}"', server)
    return database_url(name, server)


def drop_database(url: str, server: str = SERVER) -> None:
    """Drop the database a URL names, closing whatever is still connected to it."""
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', server)


@contextmanager
def fresh_database(server: str = SERVER) -> Iterator[str]:
    """Yield the URL of a database made for the block, dropped after it."""
    url = create_database(server)
    try:
        yield url
    finally:
        drop_database(url, server)
