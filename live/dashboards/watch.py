"""Edits reach open screens: the dashboards file is watched, reloaded, and every stream told."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from watchfiles import awatch

from live.dashboards.current import Dashboards

# watchfiles waits this long for more changes before it reports a batch: an editor's save is
# several writes (or a write and a rename), and screens should hear of it once, well within 5 s.
DEBOUNCE_MS = 300
# With no change for this long the watch yields anyway, and the file is read again: an edit made
# before the watch was in place (just after start-up), or one the kernel did not report, is
# still applied within this (reading and comparing a small file is cheap).
RECHECK_MS = 2000


async def watch_dashboards(dashboards: Dashboards, changed: Callable[[], None]) -> None:
    """Reload the dashboards whenever their file changes, and call `changed` when screens must hear of it."""
    if dashboards.path is None:
        return
    path = dashboards.path.resolve()
    # The folder, not the file: editors save by writing a new file and renaming it over the
    # old one, which ends a watch on the old file's inode.
    async for _ in awatch(
        path.parent,
        watch_filter=lambda _change, name: Path(name).resolve() == path,
        debounce=DEBOUNCE_MS,
        recursive=False,
        rust_timeout=RECHECK_MS,
        yield_on_timeout=True,
    ):
        if dashboards.reload():
            changed()
