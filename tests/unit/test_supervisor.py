"""Supervision: a background task that fails is logged, counted, shown as down, and restarted."""

from __future__ import annotations

import asyncio
import logging

import pytest

from live import metrics
from live.supervisor import Supervisor
from tests.support.waiting import eventually


def restarts(name: str) -> float:
    return metrics.TASK_RESTARTS.labels(name)._value.get()


async def test_a_failing_task_is_logged_counted_shown_down_and_restarted(caplog: pytest.LogCaptureFixture) -> None:
    """The first run raises; the supervisor logs the traceback, says it is down while it waits, then runs it again."""
    runs: list[int] = []
    second_run = asyncio.Event()

    async def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("boom in the framer")
        second_run.set()
        await asyncio.Event().wait()

    supervisor = Supervisor(restart_delay=0.2)
    before = restarts("framer-test")
    with caplog.at_level(logging.ERROR, logger="live.supervisor"):
        supervisor.start("framer-test", work)
        await eventually(lambda: "framer-test" in supervisor.down, 5, "the task shown as down")
        assert supervisor.down["framer-test"] == "RuntimeError: boom in the framer"
        async with asyncio.timeout(5):
            await second_run.wait()
    assert supervisor.down == {}
    assert restarts("framer-test") == before + 1
    assert any(record.exc_info and "boom in the framer" in str(record.exc_info[1]) for record in caplog.records)
    await supervisor.stop()


async def test_stop_cancels_without_restarting() -> None:
    """Cancellation is not a failure: stop ends the tasks and nothing is counted."""
    supervisor = Supervisor()
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.Event().wait()

    before = restarts("idle-test")
    supervisor.start("idle-test", work)
    await started.wait()
    await supervisor.stop()
    assert restarts("idle-test") == before
    assert supervisor.down == {}
