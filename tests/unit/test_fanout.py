"""Fan-out: bounded subscriptions with a stated overflow policy, and cleanup."""

from __future__ import annotations

import asyncio

import pytest

from live.fanout import Broadcast, Ended, Subscription


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


async def test_a_subscription_is_ended_by_bytes_queued_before_its_item_limit() -> None:
    """Items that would take the queued bytes past max_bytes end it with 'overflow', far below `limit` items;
    what is taken frees its bytes, and one item is always taken by an empty queue, however big."""
    heard: list[Subscription[bytes]] = []

    class Listening(Broadcast[bytes]):
        def overflowed(self, subscription: Subscription[bytes]) -> None:
            heard.append(subscription)

    broadcast = Listening(1000, max_bytes=100, size=len)
    async with broadcast.subscribe() as reading, broadcast.subscribe() as stalled:
        for item in (b"a" * 40, b"b" * 40, b"c" * 40):
            broadcast.publish(item)
            assert await reading.get() == item
        assert (stalled.ended, heard) == ("overflow", [stalled])
        assert [await stalled.get(), await stalled.get()] == [b"a" * 40, b"b" * 40]
        with pytest.raises(Ended, match="overflow"):
            await stalled.get()
        broadcast.publish(b"d" * 500)  # bigger than max_bytes: an empty queue takes it all the same
        assert await reading.get() == b"d" * 500
        assert reading.ended is None


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


async def test_close_ends_open_subscriptions_after_what_they_queued() -> None:
    """Closing ends every subscription, so streams finish at shutdown, but what was queued is still taken."""
    broadcast: Broadcast[int] = Broadcast(4)
    async with broadcast.subscribe() as subscription:
        broadcast.publish(1)
        broadcast.close()
        broadcast.publish(2)
        assert await subscription.get() == 1
        with pytest.raises(Ended, match="closed"):
            await subscription.get()


async def test_a_subscription_made_after_close_ends_at_once() -> None:
    """A stream opened while the server stops gets nothing and ends, rather than holding shutdown up."""
    broadcast: Broadcast[int] = Broadcast(4)
    broadcast.close()
    async with broadcast.subscribe() as subscription:
        broadcast.publish(1)
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
        await asyncio.sleep(0)  # one turn of the loop: the task runs up to its wait (not a timing guess)
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


def test_a_subscription_holds_no_per_instance_dict() -> None:
    """Thousands of streams each hold a subscription: slots keep each one small."""
    subscription = Broadcast[int](1).subscribe()
    assert not hasattr(subscription, "__dict__")
