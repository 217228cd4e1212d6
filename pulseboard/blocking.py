"""A warning, in development, for a Dash callback that holds the event loop (a plain `def` under Quart).

Under Quart a sync callback runs on the event loop: while it runs, no stream, ingest or health
check does. Each Dash app's callback route is wrapped so that every stretch of it that runs
without yielding to the loop is timed; one longer than the limit is logged, naming the callback's
output, with the fix (`async def`, and `asyncio.to_thread` for blocking work).
"""

from __future__ import annotations

import functools
import logging
import os
import time
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from quart import Quart, request

log = logging.getLogger(__name__)
CALLBACK_ROUTE = "_dash-update-component"
WRAPPED = "pulseboard_blocking_watch"


def in_development(server: Quart) -> bool:
    """Tell whether the app runs in development: Quart's debug, or Dash's (DASH_DEBUG)."""
    return bool(server.debug) or os.environ.get("DASH_DEBUG", "").lower() in ("1", "true", "yes")


def watch_callbacks(server: Quart, limit_seconds: float) -> int:
    """Wrap every Dash app's callback route on the server (once); return how many were wrapped."""
    wrapped = 0
    for endpoint, view in list(server.view_functions.items()):
        if endpoint.endswith(CALLBACK_ROUTE) and not getattr(view, WRAPPED, False):
            server.view_functions[endpoint] = timed(view, limit_seconds)
            wrapped += 1
    return wrapped


def timed(view: Callable[..., Awaitable[Any]], limit_seconds: float) -> Callable[..., Awaitable[Any]]:
    """Return the view, logging a warning when one stretch of it held the loop longer than the limit."""

    @functools.wraps(view)  # keeps Dash's name for it (dash.dash.dispatch), which CSRF exemptions use
    async def watched(*args: Any, **kwargs: Any) -> Any:
        longest = 0.0

        def step(seconds: float) -> None:
            nonlocal longest
            longest = max(longest, seconds)

        result = await _stepped(view(*args, **kwargs), step)
        if longest > limit_seconds:
            body = await request.get_json(silent=True) or {}
            log.warning(
                "Dash callback %s held the event loop for %.0f ms (every stream, ingest and health check "
                "waited): make it `async def`, and run blocking work with `await asyncio.to_thread(...)`",
                body.get("output", "?"),
                longest * 1000,
            )
        return result

    setattr(watched, WRAPPED, True)
    return watched


@types.coroutine
def _stepped(coroutine: Coroutine[Any, Any, Any] | Awaitable[Any], step: Callable[[float], None]) -> Generator:
    """Drive a coroutine as `await` would, timing each stretch between two yields to the loop."""
    inner = coroutine.__await__()
    value: Any = None
    error: BaseException | None = None
    while True:
        started = time.perf_counter()
        try:
            yielded = inner.send(value) if error is None else inner.throw(error)
        except StopIteration as done:
            step(time.perf_counter() - started)
            return done.value
        step(time.perf_counter() - started)
        try:
            value, error = (yield yielded), None
        except BaseException as thrown:  # noqa: BLE001 - cancellation included: handed on to the view as await would
            value, error = None, thrown
