"""Open streams: cut the ones whose client stopped reading, end them all when the server stops.

Why this exists (measured on uvicorn 0.54, Quart 0.20):

- uvicorn's shutdown waits for every open connection *before* it runs the ASGI lifespan
  shutdown (Quart's `after_serving`), so an app that ends its streams there never gets the
  chance: SSE streams would hold the process forever. `--timeout-graceful-shutdown` cancels
  them instead, which resets the connections rather than ending the chunked responses.
  uvicorn's `server.should_exit` is not visible to the app either. So `watch_signals` chains
  our own handler in front of the one uvicorn installed (uvicorn installs it with
  `signal.signal` before the lifespan starts, see `Server.capture_signals`): it ends every
  subscription, each stream returns, its chunked response ends with the terminating chunk,
  and uvicorn's own handler then runs as before. The same path serves `uvicorn --reload`
  (the reloader stops its child with SIGTERM) and hypercorn (whose asyncio handler is called
  through the wakeup fd whatever Python-level handler is set). The standalone app switches
  it on; an app that embeds Pulseboard owns its signals and calls `end_all` its own way.
- A client that stops reading leaves its stream blocked inside uvicorn's `send` (flow
  control), where it never sees its subscription overflow. So an overflowing subscription
  cuts its stream after a grace period, and the client resumes with Last-Event-ID.
- Cancelling the stream is not enough to let its connection go: uvicorn then closes the
  transport, and asyncio's `close()` waits to flush what it buffered to a client that never
  reads, so the socket, its descriptor and the kernel's send buffer stayed until the client left
  (issue 13, finding 3: 321 descriptors and 1.13 GB of host TCP memory for 300 such clients).
  So a stream whose connection we can reach (live/connections.py) is cut by aborting it: the
  kernel drops the socket and its buffers at once, uvicorn sees the connection lost and the
  stream ends through its disconnect. Streams served otherwise are cancelled as before.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

from live import metrics
from live.fanout import Broadcast, Subscription, no_size

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Time a stream whose queue overflowed has to finish on its own before it is cancelled:
# a slow reader drains its queue and ends cleanly; a stalled one is cut.
CUT_GRACE_SECONDS = 5.0
# Time streams have to end cleanly after a stop signal before the stragglers are cancelled.
STOP_GRACE_SECONDS = 3.0

T = TypeVar("T")


class OpenStreams(Broadcast[T]):
    """The broadcast to the open streams: each subscriber a stream, counted, cut if it stops
    reading, and all ended at once when the server stops.

    Generic in what it carries (the framer's frames), so this module needs nothing of the framer.
    """

    def __init__(self, limit: int, max_bytes: int = 0, size: Callable[[T], int] = no_size) -> None:
        super().__init__(limit, max_bytes, size)
        self._restore: Callable[[], None] | None = None

    def add(self, subscription: Subscription[T]) -> None:
        """Subscribe a stream, counted as open."""
        super().add(subscription)
        metrics.OPEN_STREAMS.inc()

    def remove(self, subscription: Subscription[T]) -> None:
        """Unsubscribe a stream."""
        if subscription in self._subscriptions:
            metrics.OPEN_STREAMS.dec()
        super().remove(subscription)

    def overflowed(self, subscription: Subscription[T]) -> None:
        """Cut the stream whose queue overflowed, unless it ends on its own first."""
        if subscription.task is not None:
            self.cut_later(subscription.task, subscription.abort)

    def cut_later(self, task: asyncio.Task, abort: Callable[[], None] | None = None) -> None:
        """Cut the stream unless it ends on its own within the grace period: abort its connection, else cancel it."""
        asyncio.get_running_loop().call_later(CUT_GRACE_SECONDS, self._cut, task, abort)

    def _cut(self, task: asyncio.Task, abort: Callable[[], None] | None) -> None:
        if task.done():
            return
        log.warning("cutting a stream whose client stopped reading; it resumes with Last-Event-ID")
        if abort is None:
            task.cancel()
            return
        abort()
        # The server sees the connection lost and ends the stream itself; if not, it is cancelled.
        self.cut_later(task)

    def end_all(self) -> None:
        """End every stream now and any opened from now on; cancel the stragglers later."""
        if self.closed:
            return
        log.info("ending %d open streams", len(self))
        self.close()
        asyncio.get_running_loop().call_later(STOP_GRACE_SECONDS, self._cancel_all)

    def _cancel_all(self) -> None:
        for subscription in self:
            if subscription.task is not None:
                subscription.task.cancel()

    def watch_signals(self) -> None:
        """Chain a handler that ends every stream in front of the server's SIGINT/SIGTERM handlers."""
        if self._restore is not None:
            return  # chained already: chaining twice would lose the handlers to put back
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only; a server in a thread stops its own way
        loop = asyncio.get_running_loop()
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

        def handle(sig: int, frame: FrameType | None) -> None:
            # A signal handler runs between bytecodes: hand the work to the loop.
            loop.call_soon_threadsafe(self.end_all)
            handler = previous[sig]
            if callable(handler):
                handler(sig, frame)
            elif handler == signal.SIG_DFL:
                signal.signal(sig, signal.SIG_DFL)
                signal.raise_signal(sig)

        for sig in SIGNALS:
            signal.signal(sig, handle)

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

        self._restore = restore

    def unwatch_signals(self) -> None:
        """Put back the handlers that were there before."""
        if self._restore is not None:
            self._restore()
            self._restore = None
