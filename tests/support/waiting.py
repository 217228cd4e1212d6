"""Waiting on a condition in async tests: re-checked every few milliseconds, with a deadline, never a bare sleep."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.01


async def eventually(condition: Callable[[], T | Awaitable[T]], timeout: float = 10.0, what: str = "") -> T:
    """Return the first truthy value of condition() (awaited if it is a coroutine); fail after `timeout` s."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                value = condition()
                if inspect.isawaitable(value):
                    value = await value
                if value:
                    return value
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}") from None
