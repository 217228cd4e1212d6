"""Pulseboard's settings: code defaults, then PULSEBOARD_* environment variables, then a mapping (pure)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

PREFIX = "PULSEBOARD"

EASINGS = frozenset(
    f"{name}{suffix}"
    for name in ("linear", "quad", "cubic", "sin", "exp", "circle", "elastic", "back", "bounce")
    for suffix in ("", "-in", "-out", "-in-out")
)

DEFAULTS: dict[str, Any] = {
    "DATABASE": "instance/pulseboard.sqlite3",
    "RETENTION_SECONDS": 24 * 3600,
    "RETENTION_INTERVAL_SECONDS": 60.0,
    "WINDOW_POINTS": 1000,
    # 5 frames/s with a 120 ms ease: p95 ingest-to-screen 221 ms at 10 points/s in Chromium,
    # against 274 ms at 4 frames/s and 200 ms (BENCHMARKS.md), and still a visible glide.
    "FRAME_RATE": 5.0,
    "ANIMATION_MS": 120,
    "ANIMATION_EASING": "cubic-in-out",
    "HEARTBEAT_SECONDS": 15.0,
    "RETRY_MS": 1000,
    "STREAM_QUEUE_FRAMES": 64,
    # Bytes of frames a stream may fall behind (beyond what its socket holds) before it is cut: big
    # frames fill a stalled reader's share long before 64 frames do (issue 13, finding 3).
    "STREAM_QUEUE_BYTES": 1024 * 1024,
    # SO_SNDBUF of a stream's socket (the kernel doubles it): what a client that stops reading holds
    # of the host's memory, instead of tcp_wmem's autotuned 4 MB. 0: the kernel's autotuning.
    "STREAM_SEND_BUFFER_BYTES": 256 * 1024,
    "REPLAY_MAX_POINTS": 20_000,
    "MAX_BATCH_POINTS": 10_000,
    "MAX_BODY_BYTES": 4 * 1024 * 1024,
    "MAX_FUTURE_SECONDS": 300.0,
    "FEED": True,
    "FEED_INTERVAL_SECONDS": 1.0,
    # memory:// fans out inside one process; redis://host:port/db across workers and hosts.
    "HUB_URL": "memory://",
    # Who may do what (live/access.py): a bearer token for ingest; "name:werkzeug-hash,..." for the rest.
    "INGEST_TOKEN": "",
    "USERS": "",
    # A YAML file of dashboards (DASHBOARDS.md); empty: dashboards.yaml beside the database, if there.
    "DASHBOARDS": "",
    # Series one dashboard's screens are sent at most, whatever its globs match.
    "DASHBOARD_MAX_SERIES": 500,
    # Series names the automatic page draws at most (a panel each); more are left to dashboards.
    "AUTO_MAX_PANELS": 50,
    # A point's labels as canonical JSON, in UTF-8 bytes (issue 13); stored once per series, not per point.
    "MAX_LABEL_BYTES": 1024,
    # Series (name and labels) that may exist; a batch creating more is refused, existing ones flow on.
    "MAX_SERIES": 10_000,
    # Failed logins an address may make in a minute before it gets 429s (live/logins.py).
    "LOGIN_FAILURES_PER_MINUTE": 10,
    # How long a batch may wait to be written (queued, or for another process's lock): then 503.
    "WRITE_TIMEOUT_SECONDS": 5.0,
    # How long an ingest body may take to arrive after its headers (a client dripping it): then 408.
    "BODY_TIMEOUT_SECONDS": 30.0,
}


class ConfigError(ValueError):
    """A setting has a value Pulseboard cannot run with."""


def _number(key: str, value: Any, *, low: float, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{PREFIX}_{key} must be a number from {low} to {high}, got {value!r}")
    return value


def validate(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the first setting that is out of range."""
    _number("RETENTION_SECONDS", config["RETENTION_SECONDS"], low=60)
    _number("RETENTION_INTERVAL_SECONDS", config["RETENTION_INTERVAL_SECONDS"], low=0.05)
    _number("WINDOW_POINTS", config["WINDOW_POINTS"], low=2, high=1_000_000)
    rate = _number("FRAME_RATE", config["FRAME_RATE"], low=0.1, high=60)
    # The animation must finish inside a frame, or animations queue up behind each other.
    _number("ANIMATION_MS", config["ANIMATION_MS"], low=0, high=1000 / rate)
    if config["ANIMATION_EASING"] not in EASINGS:
        raise ConfigError(
            f"{PREFIX}_ANIMATION_EASING must be a Plotly easing such as 'cubic-in-out', "
            f"got {config['ANIMATION_EASING']!r}"
        )
    # Below nginx's default 60 s proxy_read_timeout, so proxies never cut an idle stream.
    _number("HEARTBEAT_SECONDS", config["HEARTBEAT_SECONDS"], low=0.01, high=50)
    _number("RETRY_MS", config["RETRY_MS"], low=0, high=600_000)
    _number("STREAM_QUEUE_FRAMES", config["STREAM_QUEUE_FRAMES"], low=1, high=100_000)
    _number("STREAM_QUEUE_BYTES", config["STREAM_QUEUE_BYTES"], low=1024, high=1024**3)
    send_buffer = config["STREAM_SEND_BUFFER_BYTES"]
    if isinstance(send_buffer, bool) or send_buffer != 0:  # 0: left to the kernel's autotuning
        try:
            _number("STREAM_SEND_BUFFER_BYTES", send_buffer, low=4096, high=64 * 1024**2)
        except ConfigError:
            raise ConfigError(
                f"{PREFIX}_STREAM_SEND_BUFFER_BYTES must be 0 (the kernel's autotuning) or a number "
                f"from 4096 to {64 * 1024**2}, got {send_buffer!r}"
            ) from None
    _number("REPLAY_MAX_POINTS", config["REPLAY_MAX_POINTS"], low=1)
    _number("MAX_BATCH_POINTS", config["MAX_BATCH_POINTS"], low=1, high=1_000_000)
    _number("MAX_BODY_BYTES", config["MAX_BODY_BYTES"], low=1024)
    _number("MAX_FUTURE_SECONDS", config["MAX_FUTURE_SECONDS"], low=0)
    _number("FEED_INTERVAL_SECONDS", config["FEED_INTERVAL_SECONDS"], low=0.01)
    if not isinstance(config["FEED"], bool):
        raise ConfigError(f"{PREFIX}_FEED must be true or false, got {config['FEED']!r}")
    hub_url = config["HUB_URL"]
    if not isinstance(hub_url, str) or not hub_url.startswith(("memory://", "redis://", "rediss://", "unix://")):
        raise ConfigError(f"{PREFIX}_HUB_URL must start memory:// or redis://, got {hub_url!r}")
    _number("AUTO_MAX_PANELS", config["AUTO_MAX_PANELS"], low=1, high=10_000)
    _number("DASHBOARD_MAX_SERIES", config["DASHBOARD_MAX_SERIES"], low=1, high=100_000)
    # The dashboards: a file's path, or (from Python) the models themselves or a mapping of them.
    if not isinstance(config["DASHBOARDS"], str | Mapping) and not hasattr(config["DASHBOARDS"], "dashboards"):
        raise ConfigError(
            f"{PREFIX}_DASHBOARDS must be a file path, a DashboardsFile or a mapping, "
            f"got {type(config['DASHBOARDS']).__name__}"
        )
    for key in ("INGEST_TOKEN", "USERS"):
        if not isinstance(config[key], str):
            raise ConfigError(f"{PREFIX}_{key} must be text, got {type(config[key]).__name__}")
    _number("MAX_SERIES", config["MAX_SERIES"], low=1, high=10_000_000)
    _number("MAX_LABEL_BYTES", config["MAX_LABEL_BYTES"], low=64, high=1_000_000)
    _number("LOGIN_FAILURES_PER_MINUTE", config["LOGIN_FAILURES_PER_MINUTE"], low=1, high=10_000)
    _number("WRITE_TIMEOUT_SECONDS", config["WRITE_TIMEOUT_SECONDS"], low=0.05, high=600)
    _number("BODY_TIMEOUT_SECONDS", config["BODY_TIMEOUT_SECONDS"], low=0.05, high=3600)
    database = config["DATABASE"]
    if not isinstance(database, str) or not database:
        raise ConfigError(f"{PREFIX}_DATABASE must be a file path, a sqlite: or a postgresql: URL, got {database!r}")
    if "://" in database and not database.startswith(("sqlite:", "postgresql:", "postgres:")):
        raise ConfigError(
            f"{PREFIX}_DATABASE must be a file path, a sqlite: or a postgresql: URL, got {database!r}"
        )


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Layer the settings (defaults, PULSEBOARD_* environment, overrides) and check them."""
    merged = dict(DEFAULTS)
    for key in DEFAULTS:
        if f"{PREFIX}_{key}" in environ:
            text = environ[f"{PREFIX}_{key}"]
            # Text settings stay text: a token "1234" or a path "2026" must not become a number.
            merged[key] = text if isinstance(DEFAULTS[key], str) else _parse(text)
    merged.update(overrides or {})
    unknown = sorted(set(merged) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}")
    validate(merged)
    return merged


def _parse(text: str) -> object:
    # As Flask's from_prefixed_env: JSON where it parses ("4" is a number, "false" a bool), else text.
    try:
        return json.loads(text)
    except ValueError:
        return text
