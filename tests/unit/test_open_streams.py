"""Open streams: counted while open, cut once stalled, all ended when the server stops."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from live import open_streams as module
from live.fanout import Ended
from live.open_streams import OpenStreams
from tests.support.waiting import eventually


async def test_an_overflowing_stream_is_cut_and_counted_while_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenStreams counts a stream while it is subscribed and cuts its task once its queue overflows."""
    monkeypatch.setattr(module, "CUT_GRACE_SECONDS", 0.01)
    streams: OpenStreams[int] = OpenStreams(1)
    subscribed = asyncio.Event()

    async def stalled_stream() -> None:
        async with streams.subscribe():
            subscribed.set()
            await asyncio.Event().wait()  # never reads

    task = asyncio.create_task(stalled_stream())
    await asyncio.wait_for(subscribed.wait(), 5)
    assert len(streams) == 1
    for item in range(3):
        streams.publish(item)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert len(streams) == 0


async def test_a_stalled_stream_with_a_connection_is_cut_by_aborting_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream subscribed with a way to drop its connection is cut by that, once, after the grace; its
    task is left to end through the disconnect, and cancelled only if it has not after another grace."""
    monkeypatch.setattr(module, "CUT_GRACE_SECONDS", 0.01)
    streams: OpenStreams[bytes] = OpenStreams(1000, max_bytes=10, size=len)
    aborted = asyncio.Event()
    aborts: list[str] = []

    def abort() -> None:
        aborts.append("abort")
        aborted.set()

    async def stalled_stream(ends_when_aborted: bool) -> str:
        async with streams.subscribe(abort):
            await aborted.wait()
            if ends_when_aborted:
                return "ended by the disconnect"
            await asyncio.Event().wait()  # deaf even to that
        return "unreachable"

    task = asyncio.create_task(stalled_stream(ends_when_aborted=True))
    await eventually(lambda: len(streams) == 1)
    for _ in range(3):
        streams.publish(b"12345678")
    assert await asyncio.wait_for(task, 5) == "ended by the disconnect"
    assert aborts == ["abort"]

    aborted.clear()
    deaf = asyncio.create_task(stalled_stream(ends_when_aborted=False))
    await eventually(lambda: len(streams) == 1)
    for _ in range(3):
        streams.publish(b"12345678")
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(deaf, 5)
    assert aborts == ["abort", "abort"]
    assert len(streams) == 0


async def test_a_stalled_stream_is_cancelled_after_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """cut_later cancels a task still blocked after the grace period, and leaves a finished one alone."""
    monkeypatch.setattr(module, "CUT_GRACE_SECONDS", 0.01)
    streams: OpenStreams[int] = OpenStreams(1)
    blocked = asyncio.create_task(asyncio.Event().wait())
    done = asyncio.create_task(asyncio.sleep(0))
    await done
    streams.cut_later(blocked)
    streams.cut_later(done)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(blocked, 5)
    assert not done.cancelled()


async def test_end_all_ends_streams_now_and_cancels_stragglers_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """end_all ends every subscription at once, and cancels a stream still running after the grace."""
    monkeypatch.setattr(module, "STOP_GRACE_SECONDS", 0.01)
    streams: OpenStreams[int] = OpenStreams(4)
    subscribed = asyncio.Event()

    async def deaf_stream() -> None:
        async with streams.subscribe():
            subscribed.set()
            await asyncio.Event().wait()  # never looks at its subscription

    task = asyncio.create_task(deaf_stream())
    await asyncio.wait_for(subscribed.wait(), 5)
    async with streams.subscribe() as listening:
        streams.end_all()
        with pytest.raises(Ended, match="closed"):
            await listening.get()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


async def test_sigterm_ends_streams_then_calls_the_previous_handler() -> None:
    """The chained handler ends every subscription and hands the signal on; unwatching restores the old one."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda sig, frame: seen.append(sig))
    try:
        streams: OpenStreams[int] = OpenStreams(4)
        streams.watch_signals()
        async with streams.subscribe() as subscription:
            os.kill(os.getpid(), signal.SIGTERM)
            with pytest.raises(Ended, match="closed"):
                await asyncio.wait_for(subscription.get(), 5)
        assert seen == [signal.SIGTERM]
        streams.unwatch_signals()
        os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM, signal.SIGTERM]
        assert streams.closed
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_signals_are_left_alone_until_watched_and_watching_twice_restores_the_original() -> None:
    """Making OpenStreams touches no handler; a second watch_signals does not chain again."""

    def original(sig: int, frame: object) -> None:
        """Stand in for the server's own handler."""

    previous = signal.signal(signal.SIGTERM, original)
    try:
        streams: OpenStreams[int] = OpenStreams(4)
        assert signal.getsignal(signal.SIGTERM) is original
        streams.watch_signals()
        streams.watch_signals()
        assert signal.getsignal(signal.SIGTERM) is not original
        streams.unwatch_signals()
        assert signal.getsignal(signal.SIGTERM) is original
    finally:
        signal.signal(signal.SIGTERM, previous)
