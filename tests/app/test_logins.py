"""Logins under a flood: every refusal costs one hash, off the event loop; failures are limited per address;
a header that passed is remembered for a minute (issue 13, finding 7)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client
from werkzeug.security import check_password_hash, generate_password_hash

import live.logins
from app import create_app
from live.logins import REMEMBER_SECONDS, Logins, TooManyFailures

METHOD = "scrypt:1024:8:1"  # werkzeug's scrypt at a test's cost
ALICE = generate_password_hash("right", method=METHOD)


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def frm(address: str) -> dict[str, Any]:
    return {"scope_base": {"client": (address, 50000)}}


class Hashes:
    """hashlib.scrypt, counted: the scrypt cost (n) of each call and the thread it ran in."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.scrypt = hashlib.scrypt

    def __call__(self, password: bytes, **kwargs: Any) -> bytes:
        self.calls.append((kwargs["n"], threading.get_ident()))
        return self.scrypt(password, **kwargs)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Hashes:
    counted = Hashes()
    monkeypatch.setattr(hashlib, "scrypt", counted)
    return counted


@pytest.fixture
async def guarded(settings: dict[str, Any]) -> AsyncIterator[Dash]:
    dash_app = create_app({**settings, "USERS": f"alice:{ALICE}"})
    async with dash_app.server.test_app():
        yield dash_app


@pytest.fixture
def client(guarded: Dash) -> Client:
    return guarded.server.test_client()


async def test_unknown_and_known_names_cost_one_hash_each_off_the_event_loop(client: Client, hashes: Hashes) -> None:
    """A wrong password and an unknown name both hash once, at the users' cost, in a thread: same time, no hint."""
    for name in ("alice", "mallory"):
        response = await client.get("/", headers=basic(name, "wrong"), **frm("10.0.0.1"))
        assert response.status_code == 401
    assert [n for n, _ in hashes.calls] == [1024, 1024]
    assert threading.get_ident() not in {thread for _, thread in hashes.calls}


async def test_an_address_that_keeps_failing_gets_429_without_a_hash(client: Client, hashes: Hashes) -> None:
    """Past 10 failures a minute (the default): 429 with Retry-After, nothing hashed, other addresses untouched."""
    for _ in range(10):
        assert (await client.get("/", headers=basic("alice", "wrong"), **frm("10.0.0.1"))).status_code == 401
    hashed = len(hashes.calls)
    for headers in (basic("alice", "wrong"), basic("alice", "right")):
        response = await client.get("/", headers=headers, **frm("10.0.0.1"))
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert "too many failed logins" in (await response.get_json())["error"]
    assert len(hashes.calls) == hashed
    assert (await client.get("/", headers=basic("alice", "right"), **frm("10.0.0.2"))).status_code == 200


async def test_a_header_that_passed_is_not_hashed_again(client: Client, hashes: Hashes) -> None:
    """A screen's requests and reconnects with the same login hash once, and pass while its address is limited."""
    for _ in range(3):
        assert (await client.get("/", headers=basic("alice", "right"), **frm("10.0.0.1"))).status_code == 200
    assert len(hashes.calls) == 1
    for _ in range(10):
        await client.get("/", headers=basic("alice", "wrong"), **frm("10.0.0.1"))
    assert (await client.get("/", headers=basic("alice", "right"), **frm("10.0.0.1"))).status_code == 200


async def test_no_credentials_are_no_failure(client: Client, hashes: Hashes) -> None:
    """A browser's first request has no header: 401 asking for a login, nothing hashed or counted."""
    for _ in range(20):
        response = await client.get("/", **frm("10.0.0.1"))
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert hashes.calls == []
    assert (await client.get("/", headers=basic("alice", "right"), **frm("10.0.0.1"))).status_code == 200


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def logins(clock: Clock, verified: list[str], per_minute: int = 3) -> Logins:
    def verify(hashed: str, password: str) -> bool:
        verified.append(password)
        return check_password_hash(hashed, password)

    return Logins({"alice": ALICE}, failures_per_minute=per_minute, clock=clock, verify=verify)


async def test_a_remembered_header_is_hashed_again_after_a_minute() -> None:
    """Remembered for REMEMBER_SECONDS, then checked again (a password taken away stops working)."""
    clock, verified = Clock(), []
    checker = logins(clock, verified)
    header = basic("alice", "right")["Authorization"]
    assert await checker.check(header, "a") == "alice"
    clock.now += REMEMBER_SECONDS - 1
    assert await checker.check(header, "a") == "alice"
    assert verified == ["right"]
    clock.now += 1
    assert await checker.check(header, "a") == "alice"
    assert verified == ["right", "right"]


async def test_remembered_headers_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most REMEMBERED_HEADERS headers are remembered; the oldest goes first."""
    monkeypatch.setattr(live.logins, "REMEMBERED_HEADERS", 4)
    clock, verified = Clock(), []
    checker = logins(clock, verified)
    first = basic("alice", "right")["Authorization"]
    await checker.check(first, "a")
    for index in range(4):  # the same login, spelt with a different amount of padding space
        assert await checker.check(first + " " * (index + 1), "a") == "alice"
    assert len(checker._remembered) == 4
    await checker.check(first, "a")
    assert len(verified) == 6


async def test_the_limit_is_per_minute_and_says_when_to_come_back() -> None:
    """Retry-After counts down to the moment the oldest failure leaves the minute; then one more try is allowed."""
    clock, verified = Clock(), []
    checker = logins(clock, verified, per_minute=3)
    wrong = basic("alice", "wrong")["Authorization"]
    for step in range(3):
        assert await checker.check(wrong, "a") is None
        clock.now += 10 * (step < 2)  # failures at 1000, 1010, 1020
    with pytest.raises(TooManyFailures) as refused:
        await checker.check(wrong, "a")
    assert refused.value.retry_after == 40  # the failure at 1000 leaves the minute at 1060
    clock.now = 1059.5
    with pytest.raises(TooManyFailures) as refused:
        await checker.check(wrong, "a")
    assert refused.value.retry_after == 1
    clock.now = 1060.0
    assert await checker.check(basic("alice", "right")["Authorization"], "a") == "alice"
    assert len(verified) == 4


def test_the_dummy_hash_uses_the_users_method(tmp_path: Path) -> None:
    """An unknown name is checked against a hash made as most users' are, so it costs what theirs do."""
    pbkdf2 = generate_password_hash("x", method="pbkdf2:sha256:1000")
    checker = Logins({"a": pbkdf2, "b": pbkdf2, "c": ALICE}, failures_per_minute=1)
    assert checker._dummy.startswith("pbkdf2:sha256:1000$")


async def test_attempts_in_flight_count_against_the_limit(client: Client, hashes: Hashes) -> None:
    """Fifty wrong passwords sent at once from one address: ten are hashed, forty get 429 (they all passed
    the check before the first hash finished)."""
    answers = await asyncio.gather(
        *(client.get("/", headers=basic("alice", f"guess{i}"), **frm("10.0.0.1")) for i in range(50))
    )
    assert sorted(answer.status_code for answer in answers) == [401] * 10 + [429] * 40
    assert len(hashes.calls) == 10


async def test_a_right_password_is_not_counted_as_a_failure() -> None:
    """An attempt is counted while it is hashed, and taken back when it was right."""
    clock, verified = Clock(), []
    checker = logins(clock, verified, per_minute=2)
    for index in range(5):  # five different spellings of alice's login: each hashed, none a failure
        assert await checker.check(basic("alice", "right")["Authorization"] + " " * index, "a") == "alice"
    assert await checker.check(basic("alice", "wrong")["Authorization"], "a") is None
    assert checker.failures.retry_after("a") == 0
