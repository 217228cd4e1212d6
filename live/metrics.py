"""Prometheus metrics: counters bumped once per batch or frame, never per point.

Under several workers set PROMETHEUS_MULTIPROC_DIR (an empty directory, wiped before start):
prometheus-client then keeps each worker's figures in files there and /metrics adds them up.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PROTOCOLS = ("json", "influx", "otlp", "prometheus")
POINTS_INGESTED = Counter("pulseboard_points_ingested", "Points stored, by protocol.", ["protocol"])
INGEST_ERRORS = Counter(
    "pulseboard_ingest_errors",
    "Ingest requests refused or failed (OTLP: or partly refused), by protocol and kind.",
    ["protocol", "kind"],
)
for _protocol in PROTOCOLS:  # every protocol shows from the start, at 0
    POINTS_INGESTED.labels(_protocol)
FRAMES_SENT = Counter("pulseboard_frames_sent", "Frames handed to streams, and catch-up and reset events written.")
OPEN_STREAMS = Gauge("pulseboard_open_streams", "Event streams open now.", multiprocess_mode="livesum")
STREAM_LAG = Histogram(
    "pulseboard_stream_lag_seconds",
    "Seconds from a frame being built to a stream writing it (one frame in 8, every stream).",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HUB_ERRORS = Counter("pulseboard_hub_errors", "Hub failures (Redis away), by operation.", ["operation"])
TASK_RESTARTS = Counter(
    "pulseboard_task_restarts",
    "Background tasks (framer, retention, feed, hub listener) restarted after a failure, by task.",
    ["task"],
)
STALE_SERIES = Gauge(
    "pulseboard_stale_series",
    "Series drawn in a dashboard panel with stale_seconds whose newest point is older than that, by dashboard.",
    ["dashboard"],
    multiprocess_mode="mostrecent",
)
