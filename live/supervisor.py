"""Background tasks that cannot die: a failure is logged, counted, shown in /readyz, and the task restarts.

A task that returns has finished its work (the in-process hub has nothing to listen to) and
is not run again; one that raises is.

Nothing a producer sends may stop the frames (issue 12: one point once killed the framer
without a log line, and every screen froze while /readyz said "ok").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from live import metrics

log = logging.getLogger(__name__)
# A task that ran this long before failing starts again at once; one that keeps failing
# backs off up to the longest delay, so a hot failure loop cannot eat the process.
HEALTHY_RUN_SECONDS = 30.0
LONGEST_DELAY_SECONDS = 5.0


class Supervisor:
    """Runs named coroutines forever, restarting each after a failure."""

    def __init__(self, restart_delay: float = 0.5) -> None:
        self.restart_delay = restart_delay
        self.down: dict[str, str] = {}  # task name -> why it is down, while it waits to restart
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run `run()` under supervision as task `name`."""
        self._tasks[name] = asyncio.create_task(self._keep(name, run), name=f"pulseboard-{name}")

    async def _keep(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        loop = asyncio.get_running_loop()
        delay = self.restart_delay
        while True:
            started = loop.time()
            try:
                await run()
                return
            # Any failure of a task that must run forever: logged with its traceback, counted,
            # shown in /readyz, and the task restarted. CancelledError is not an Exception.
            except Exception as error:  # noqa: BLE001
                reason = f"{type(error).__name__}: {error}"
                log.exception("background task %s failed; restarting it", name)
            metrics.TASK_RESTARTS.labels(name).inc()
            if loop.time() - started > HEALTHY_RUN_SECONDS:
                delay = self.restart_delay
            self.down[name] = reason
            try:
                await asyncio.sleep(delay)
            finally:
                self.down.pop(name, None)
            delay = min(delay * 2, LONGEST_DELAY_SECONDS)

    async def stop(self) -> None:
        """Cancel every task and wait for them to end."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
