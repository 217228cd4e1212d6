"""Open streams and the hub's closing: the pieces shutdown and slow-reader cut-offs rest on."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from live import streams
from live.hub import Broadcast, Ended
from live.streams import OpenStreams


async def test_a_subscription_made_after_close_ends_at_once() -> None:
    """A stream opened while the server stops gets nothing and ends, rather than holding shutdown up."""
    broadcast: Broadcast[int] = Broadcast(4)
    broadcast.close()
    async with broadcast.subscribe() as subscription:
        broadcast.publish(1)
        with pytest.raises(Ended, match="closed"):
            await subscription.get()


async def test_overflow_calls_back_once() -> None:
    """A full subscription ends with 'overflow' and tells its owner once."""
    calls: list[int] = []
    broadcast: Broadcast[int] = Broadcast(2)
    async with broadcast.subscribe(on_overflow=lambda: calls.append(1)) as subscription:
        for item in range(5):
            broadcast.publish(item)
        assert calls == [1]
        assert [await subscription.get(), await subscription.get()] == [0, 1]
        with pytest.raises(Ended, match="overflow"):
            await subscription.get()


async def test_a_stalled_stream_is_cancelled_after_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """cut_later cancels a task still blocked after the grace period, and leaves a finished one alone."""
    monkeypatch.setattr(streams, "CUT_GRACE_SECONDS", 0.01)
    open_streams = OpenStreams(Broadcast(1))
    blocked = asyncio.create_task(asyncio.Event().wait())
    done = asyncio.create_task(asyncio.sleep(0))
    await done
    open_streams.cut_later(blocked)
    open_streams.cut_later(done)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(blocked, 5)
    assert not done.cancelled()


async def test_sigterm_ends_streams_then_calls_the_previous_handler() -> None:
    """The chained handler ends every subscription and hands the signal on; unwatching restores the old one."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda sig, frame: seen.append(sig))
    try:
        broadcast: Broadcast[int] = Broadcast(4)
        open_streams = OpenStreams(broadcast)
        open_streams.watch_signals()
        async with broadcast.subscribe() as subscription:
            os.kill(os.getpid(), signal.SIGTERM)
            with pytest.raises(Ended, match="closed"):
                await asyncio.wait_for(subscription.get(), 5)
        assert seen == [signal.SIGTERM]
        open_streams.unwatch_signals()
        os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM, signal.SIGTERM]
        assert broadcast.closed
    finally:
        signal.signal(signal.SIGTERM, previous)
