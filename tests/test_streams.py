"""Open streams and the hub's closing: the pieces shutdown and slow-reader cut-offs rest on."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from live import streams
from live.hub import Broadcast, Ended, Subscription
from live.streams import OpenStreams


async def test_a_subscription_made_after_close_ends_at_once() -> None:
    """A stream opened while the server stops gets nothing and ends, rather than holding shutdown up."""
    broadcast: Broadcast[int] = Broadcast(4)
    broadcast.close()
    async with broadcast.subscribe() as subscription:
        broadcast.publish(1)
        with pytest.raises(Ended, match="closed"):
            await subscription.get()


async def test_overflow_tells_the_broadcast_once() -> None:
    """A full subscription ends with 'overflow' and its broadcast hears of it once."""
    heard: list[Subscription[int]] = []

    class Listening(Broadcast[int]):
        def overflowed(self, subscription: Subscription[int]) -> None:
            heard.append(subscription)

    broadcast = Listening(2)
    async with broadcast.subscribe() as subscription:
        for item in range(5):
            broadcast.publish(item)
        assert heard == [subscription]
        assert [await subscription.get(), await subscription.get()] == [0, 1]
        with pytest.raises(Ended, match="overflow"):
            await subscription.get()


async def test_an_overflowing_stream_is_cut_and_counted_while_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenStreams counts a stream while it is subscribed and cuts its task once its queue overflows."""
    monkeypatch.setattr(streams, "CUT_GRACE_SECONDS", 0.01)
    open_streams = OpenStreams(1)
    subscribed = asyncio.Event()

    async def stalled_stream() -> None:
        async with open_streams.subscribe():
            subscribed.set()
            await asyncio.Event().wait()  # never reads

    task = asyncio.create_task(stalled_stream())
    await asyncio.wait_for(subscribed.wait(), 5)
    assert len(open_streams) == 1
    for item in range(3):
        open_streams.publish(item)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert len(open_streams) == 0


async def test_a_stalled_stream_is_cancelled_after_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """cut_later cancels a task still blocked after the grace period, and leaves a finished one alone."""
    monkeypatch.setattr(streams, "CUT_GRACE_SECONDS", 0.01)
    open_streams = OpenStreams(1)
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
        open_streams = OpenStreams(4)
        open_streams.watch_signals()
        async with open_streams.subscribe() as subscription:
            os.kill(os.getpid(), signal.SIGTERM)
            with pytest.raises(Ended, match="closed"):
                await asyncio.wait_for(subscription.get(), 5)
        assert seen == [signal.SIGTERM]
        open_streams.unwatch_signals()
        os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM, signal.SIGTERM]
        assert open_streams.closed
    finally:
        signal.signal(signal.SIGTERM, previous)
