"""The hubs: URL choice, the memory hub, the Redis hub's wire format, and fan-out through a real redis-server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis.exceptions import RedisError

from live import config
from live.config import ConfigError
from live.fanout import Ended
from live.hubs import hub_from_url
from live.hubs.memory import MemoryHub
from live.hubs.redis import INLINE_ROWS, RedisHub, decode_commit, encode_commit
from live.leader import LeaderLock
from live.model import WAKE, Commit, Row
from tests.support.deploy import RedisServer
from tests.support.servers import ROOT, live_server, wait_for

COMMIT = Commit(7, 8, (Row(7, "cpu", '{"hôte":"a"}', 1.5, 2.0), Row(8, "mém", "", 2.5, -1.0)))


@pytest.mark.parametrize(
    ("commit", "encoded"),
    [
        (COMMIT, r'[7,8,[["cpu","{\"hôte\":\"a\"}",1.5,2.0],["mém","",2.5,-1.0]]]'.encode()),
        (Commit(3, 3, (Row(3, "up", "", 0.0, 1e308),)), b'[3,3,[["up","",0.0,1e+308]]]'),
        (
            Commit(1, INLINE_ROWS + 1, tuple(Row(i + 1, "s", "", 0.0, 0.0) for i in range(INLINE_ROWS + 1))),
            b"[1,2001,null]",
        ),
    ],
)
def test_commit_encoding(commit: Commit, encoded: bytes) -> None:
    """Commits travel as [first, last, [[series, labels, ts, value], ...]]; big ones as ids only (a wake-up)."""
    assert encode_commit(commit) == encoded
    decoded = decode_commit(encoded)
    assert (decoded.first, decoded.last) == (commit.first, commit.last)
    assert decoded.rows == (commit.rows if len(commit.rows) <= INLINE_ROWS else ())


def test_hub_url_picks_the_backend() -> None:
    """memory:// gives the in-process hub, redis:// the Redis one, anything else fails naming the URL."""
    assert isinstance(hub_from_url("memory://"), MemoryHub)
    for url in ("redis://127.0.0.1:1/0", "rediss://127.0.0.1:1/0", "unix:///tmp/redis.sock"):
        assert isinstance(hub_from_url(url), RedisHub)
    with pytest.raises(ValueError, match="kafka://x"):
        hub_from_url("kafka://x")


def test_a_memory_hub_does_not_import_redis() -> None:
    """Only a several-worker set-up pays for redis: a memory:// hub leaves it unimported."""
    probe = (
        "import sys\n"
        "from live.hubs import hub_from_url\n"
        "hub_from_url('memory://')\n"
        "print('redis' in sys.modules)\n"
        "hub_from_url('redis://127.0.0.1:1/0')\n"
        "print('redis' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # The second line shows the probe can see redis arrive: the first is no blind False.
    assert done.stdout.split() == ["False", "True"]


async def test_a_memory_hub_hands_commits_on_and_ends_subscriptions_on_close() -> None:
    """The in-process hub delivers each commit to each subscriber, and closing ends them."""
    hub = MemoryHub(limit=4)
    await hub.open()
    await hub.ping()
    async with hub.subscribe() as first, hub.subscribe() as second:
        await hub.publish(COMMIT)
        assert await first.get() is await second.get() is COMMIT
        await hub.close()
        with pytest.raises(Ended, match="closed"):
            await first.get()


def test_one_leader_per_database(tmp_path: Path) -> None:
    """A second holder cannot take the lock until the first lets go."""
    first, second = LeaderLock(str(tmp_path / "db")), LeaderLock(str(tmp_path / "db"))
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


async def test_commits_reach_every_hub_and_a_resubscription_wakes(redis_server: RedisServer) -> None:
    """A commit published on one hub reaches subscribers of another; (re)subscribing hands them a WAKE."""
    sender, receiver = RedisHub(redis_server.url), RedisHub(redis_server.url)
    await sender.open()
    await receiver.open()
    listening = asyncio.create_task(receiver.run())
    try:
        async with receiver.subscribe() as commits:
            assert await asyncio.wait_for(commits.get(), 10) == WAKE
            await receiver.ping()
            await sender.publish(COMMIT)
            assert await asyncio.wait_for(commits.get(), 10) == COMMIT

            await asyncio.to_thread(redis_server.stop)
            await sender.publish(COMMIT)  # Redis away: no error, and no delivery elsewhere
            with pytest.raises((ConnectionError, RedisError)):
                await receiver.ping()
            await asyncio.to_thread(redis_server.start)
            assert await asyncio.wait_for(commits.get(), 10) == WAKE
            await asyncio.wait_for(receiver.connected.wait(), 10)
            await receiver.ping()
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await sender.close()
        await receiver.close()


def test_readyz_says_unavailable_while_redis_is_away(tmp_path: Path, redis_server: RedisServer) -> None:
    """/readyz answers 503 naming the hub's failure while Redis is down, and 200 again once it is back."""
    with live_server(tmp_path, {"PULSEBOARD_HUB_URL": redis_server.url}) as server:

        def ready() -> int:
            return httpx.get(f"{server.url}/readyz", timeout=5).status_code

        wait_for(lambda: ready() == 200, what="ready with Redis up")
        redis_server.stop()
        answer = httpx.get(f"{server.url}/readyz", timeout=5)
        assert answer.status_code == 503
        assert "Error" in answer.json()["error"]
        redis_server.start()
        wait_for(lambda: ready() == 200, timeout=15, what="ready again once Redis is back")


def test_a_bad_hub_url_fails_at_start_naming_the_setting() -> None:
    """PULSEBOARD_HUB_URL must name a backend; anything else is refused before serving."""
    with pytest.raises(ConfigError, match="PULSEBOARD_HUB_URL"):
        config.load(environ={"PULSEBOARD_HUB_URL": "kafka://broker:9092"})
    assert config.load(environ={})["HUB_URL"] == "memory://"
