"""HTTP basic-auth logins that a flood cannot turn into a CPU burner or a user directory (issue 13, finding 7).

Werkzeug's hashes are slow on purpose (scrypt, ~50 ms of a core). So a check:
- hashes in a thread, never on the event loop, and at most HASHES_AT_ONCE at a time, so
  streams and ingest keep a core however many logins arrive;
- hashes for an unknown name too, against a dummy of the users' own method: a refusal costs
  the same whoever is named, so its timing does not say who exists;
- remembers a header that passed for REMEMBER_SECONDS (by a keyed digest, never in clear),
  so a screen reconnecting every second does not hash every time;
- refuses an address that failed `failures_per_minute` times in the last minute, before
  hashing, with the seconds until it may try again. A remembered header still passes:
  a screen behind the same NAT as an attacker keeps its stream.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Mapping

from werkzeug.security import check_password_hash, generate_password_hash

REMEMBER_SECONDS = 60.0
REMEMBERED_HEADERS = 1024
WINDOW_SECONDS = 60.0
TRACKED_ADDRESSES = 10_000
# Hashes running at once: half the cores, so logins alone never take them all.
HASHES_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)


class TooManyFailures(Exception):
    """An address failed to log in too often: refused without hashing, for `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def dummy_hash(hashes: Mapping[str, str]) -> str:
    """Return a hash of a random password by the method most of the hashes use (their cost)."""
    methods = Counter(hashed.partition("$")[0] for hashed in hashes.values())
    password = secrets.token_urlsafe(16)
    for method, _ in methods.most_common(1):
        try:
            return generate_password_hash(password, method=method)
        except ValueError:  # a method this werkzeug cannot make: its default, then
            break
    return generate_password_hash(password)


class FailureLimit:
    """Failed logins per address over the last minute, for at most TRACKED_ADDRESSES addresses."""

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, address: str) -> int:
        """Return the whole seconds until the address may try again, 0 if it may now."""
        failures = self._failures.get(address)
        if failures is None or len(failures) < self.per_minute:
            return 0
        return max(0, int(failures[0] + WINDOW_SECONDS - self.clock() + 0.999))

    def fail(self, address: str) -> float:
        """Count a failed login from the address; return its time, to forgive it by."""
        now = self.clock()
        failures = self._failures.pop(address, None) or deque(maxlen=self.per_minute)
        failures.append(now)
        self._failures[address] = failures  # last in the dict: the most recent
        if len(self._failures) > TRACKED_ADDRESSES:
            # Forget the addresses with no failure in the window; past that, the least recent ones.
            for key in [key for key, times in self._failures.items() if times[-1] < now - WINDOW_SECONDS]:
                del self._failures[key]
            while len(self._failures) > TRACKED_ADDRESSES:
                del self._failures[next(iter(self._failures))]
        return now

    def forgive(self, address: str, when: float) -> None:
        """Take back a failure counted at `when` (an attempt counted before its hash said it was right)."""
        failures = self._failures.get(address)
        if failures is not None and when in failures:
            failures.remove(when)


class Logins:
    """Checks basic-auth headers against {name: werkzeug hash}."""

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        failures_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        verify: Callable[[str, str], bool] = check_password_hash,
    ) -> None:
        self.users = dict(users)
        self.clock = clock
        self.verify = verify
        self.failures = FailureLimit(failures_per_minute, clock)
        self._dummy = dummy_hash(self.users)
        self._key = secrets.token_bytes(32)
        self._remembered: OrderedDict[bytes, tuple[str, float]] = OrderedDict()  # digest: (name, until)
        self._hashing = asyncio.Semaphore(HASHES_AT_ONCE)

    async def check(self, header: str | None, address: str) -> str | None:
        """Return the user the header proves to be, or None; raise TooManyFailures for an address over its limit."""
        if not header or not header[:6].lower() == "basic ":
            return None  # no credentials: a browser's first request, not a failure
        digest = hmac.new(self._key, header.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
        remembered = self._remembered.get(digest)
        if remembered is not None:
            name, until = remembered
            if self.clock() < until:
                return name
            del self._remembered[digest]
        wait = self.failures.retry_after(address)
        if wait:
            raise TooManyFailures(wait)
        try:
            name, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        except ValueError:  # not base64 UTF-8: nobody's credentials, and no hash needed to say so
            self.failures.fail(address)
            return None
        hashed = self.users.get(name)
        # Counted as a failure until the hash says otherwise: attempts in flight count, so fifty
        # sent at once cannot all pass the check above before the first one fails.
        attempt = self.failures.fail(address)
        async with self._hashing:
            passed = await asyncio.to_thread(self.verify, self._dummy if hashed is None else hashed, password)
        if hashed is None or not passed:
            return None
        self.failures.forgive(address, attempt)
        self._remembered[digest] = (name, self.clock() + REMEMBER_SECONDS)
        if len(self._remembered) > REMEMBERED_HEADERS:
            self._remembered.popitem(last=False)  # the oldest: it expires first anyway
        return name
