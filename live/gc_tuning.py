"""Python's garbage collector set up for a process that holds thousands of streams.

The standalone app (app.py) calls `tune_collector` at start-up; an app that embeds
Pulseboard decides for itself, since it changes the whole process.
"""

from __future__ import annotations

import gc

# Young objects the collector lets pile up before a pass; Python's default is 700.
YOUNG_OBJECTS = 50_000


def tune_collector() -> None:
    """Freeze what start-up made and let young objects pile up longer before a pass.

    Each open stream holds ~100 objects the collector tracks, and a full pass over 5,000
    streams stopped the process for 500-600 ms (BENCHMARKS.md, Fan-out). Python runs one
    whenever the objects promoted to the oldest generation reach a quarter of it. A frame's
    fan-out briefly makes a future and a callback per stream, so with the default threshold
    young passes ran mid-fan-out, promoted the waiting streams' futures, and a full pass came
    every ~12 s at one frame a second. With a higher threshold no pass runs in steady state;
    garbage without cycles goes at once anyway, by reference counting. And what exists at
    start-up (Dash, Plotly, Quart: ~75,000 objects) lives as long as the process: frozen, the
    full passes skip it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
