"""Pulseboard's live core, as a Quart extension: `live.init_app(server)`.

Where a point goes, one module each::

    producer ─ HTTP ─▶ routes/ingest ─ live/decoders (body → items) ─ live/validation (one check
                                        │                              for every entry path)
                                        ▼
                                   live/runtime  Live.ingest / Live.push (Python callers)
                                        ▼
                                   live/store    Store protocol; store/sqlite: one writer task,
                                        │        WAL, event id = rowid
                                        ▼ Commit (ids first..last, committed)
                                   live/hubs     memory (one process) or redis (several workers),
                                        │        over live/fanout (bounded subscriptions)
                                        ▼
                                   live/framer   at most FRAME_RATE frames/s; per series one update
                                        │        (live/window, live/updates), encoded once, data only
                                        ▼
                                   live/screens  the stream protocol: reset or catch-up, then frames
                                        ▼
                                   routes/stream SSE, one per tab (live/open_streams: counted, cut
                                        │        when stalled, ended on SIGTERM)
                                        ▼
                                   assets/pulseboard.js ─ updates as Dash Patches ─ set_props;
                                        │        panels, theme and ranges are the page's
                                        ▼        (assets/pulseboard-updates.js, pure)
                                   dcc.Graph(animate=True), first drawn from live/figures

Page load: callbacks/graphs.py asks live/screens for the windows at the framer's last id,
so the stream carries on from exactly there. Background tasks (framer, hub listener,
retention, feed) run under live/supervisor: a failure is logged, restarted, shown in /readyz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from live.extension import init_app
    from live.runtime import Live, get_live

__all__ = ["Live", "get_live", "init_app"]


def __getattr__(name: str) -> Any:
    # Loaded when first asked for, so importing a pure module (live.model, live.figures) does not
    # bring in Quart, the store and the hubs with the package.
    if name == "init_app":
        from live.extension import init_app

        return init_app
    if name in ("Live", "get_live"):
        from live import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'live' has no attribute {name!r}")
