"""Fan-out: bounded subscriptions with a stated overflow policy, and cleanup."""

from __future__ import annotations

import asyncio

import pytest

from live.hub import Broadcast, Ended, MemoryHub


async def test_every_subscriber_gets_every_item_in_order() -> None:
    """Publishing hands each item to each subscriber."""
    broadcast: Broadcast[int] = Broadcast(10)
    async with broadcast.subscribe() as first, broadcast.subscribe() as second:
        for item in range(3):
            broadcast.publish(item)
        assert [await first.get() for _ in range(3)] == [0, 1, 2]
        assert second.take_all() == [0, 1, 2]


async def test_a_full_subscription_ends_with_overflow_and_others_carry_on() -> None:
    """A subscriber that stops reading is ended, after what it had queued; the rest are untouched."""
    broadcast: Broadcast[int] = Broadcast(2)
    async with broadcast.subscribe() as slow, broadcast.subscribe() as fast:
        for item in range(5):
            broadcast.publish(item)
            assert await fast.get() == item
        assert [await slow.get(), await slow.get()] == [0, 1]
        with pytest.raises(Ended) as ended:
            await slow.get()
        assert ended.value.reason == "overflow"


async def test_subscription_is_removed_on_exit_and_on_error() -> None:
    """Leaving the block, normally or by an exception, unsubscribes."""
    broadcast: Broadcast[int] = Broadcast(2)
    async with broadcast.subscribe():
        assert len(broadcast) == 1
    assert len(broadcast) == 0
    with pytest.raises(RuntimeError):
        async with broadcast.subscribe():
            raise RuntimeError("boom")
    assert len(broadcast) == 0


async def test_close_wakes_a_waiting_subscriber() -> None:
    """Closing ends subscribers that are waiting, so streams finish at shutdown."""
    hub = MemoryHub()
    async with hub.subscribe() as subscription:
        await hub.close()
        with pytest.raises(Ended, match="closed"):
            await subscription.get()


async def test_frames_are_shared_not_copied() -> None:
    """All viewers receive the very same encoded frame object."""
    broadcast: Broadcast[bytes] = Broadcast(2)
    frame = b"id: 1\n\n"
    async with broadcast.subscribe() as first, broadcast.subscribe() as second:
        broadcast.publish(frame)
        assert (await first.get()) is (await second.get()) is frame


async def test_a_waiting_subscriber_is_woken_and_a_cancelled_wait_leaves_it_usable() -> None:
    """A get() that is waiting returns what is published next; cancelling one loses nothing after it."""
    broadcast: Broadcast[int] = Broadcast(4)
    async with broadcast.subscribe() as subscription:
        waiting = asyncio.create_task(subscription.get())
        await asyncio.sleep(0)  # let it start waiting
        broadcast.publish(1)
        assert await asyncio.wait_for(waiting, 5) == 1
        cancelled = asyncio.create_task(subscription.get())
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        broadcast.publish(2)
        assert await asyncio.wait_for(subscription.get(), 5) == 2
        closing = asyncio.create_task(subscription.get())
        await asyncio.sleep(0)
        broadcast.close()
        with pytest.raises(Ended, match="closed"):
            await asyncio.wait_for(closing, 5)
