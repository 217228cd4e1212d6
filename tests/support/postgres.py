"""A database of its own for each test, on the PostgreSQL server .ci/run makes sure of; and a private
server for tests that restart it.

PULSEBOARD_TEST_POSTGRES names the server (a URL to its maintenance database); each database is
made with a unique name and dropped afterwards, with any connection a test left open.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from tests.support.servers import free_port, wait_for

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


class PostgresServer:
    """A private PostgreSQL server (initdb, trust auth, 127.0.0.1 on a free port) that a test may stop and start.

    As root, initdb and postgres run as the `postgres` user (they refuse root), in a directory of
    /tmp that user owns: pytest's own tmp directories are closed to other users.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
        self.data = Path(tempfile.mkdtemp(prefix="pulseboard-pg-"))
        # Run as that user by Popen itself (no runuser in between, which would not pass signals on).
        self.as_user: dict[str, str] = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
        if self.as_user:
            shutil.chown(self.data, "postgres")
        self.process: subprocess.Popen[bytes] | None = None
        subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data / "db"), "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
            **self.as_user,
        )

    @property
    def server(self) -> str:
        """The URL of its maintenance database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresServer:
        """Start postgres in the foreground, a child of the test, and wait until it takes connections."""
        command = [str(self.bin / "postgres"), "-D", str(self.data / "db"), "-p", str(self.port)]
        command += ["-c", "listen_addresses=127.0.0.1", "-k", str(self.data), "-c", "fsync=on"]
        with open(self.data / "server.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **self.as_user)

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"postgres exited: {(self.data / 'server.log').read_text()[-2000:]}")
            ready = [str(self.bin / "pg_isready"), "-q", "-U", "postgres", "-h", "127.0.0.1", "-p", str(self.port)]
            return subprocess.run(ready).returncode == 0

        wait_for(up, timeout=30, what="postgres to take connections")
        return self

    def stop(self) -> None:
        """Stop the server the fast way (SIGINT: every session ends, open transactions roll back)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(30)

    def remove(self) -> None:
        """Stop it and delete its files."""
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)
