"""Pulseboard as a Quart extension: `init_app(server)` creates its parts and ties them to the app's life.

It changes nothing else about the app: no global body limit, response headers, signal
handlers or collector settings; the standalone app.py switches those on for itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from quart import Quart

from live import config as settings
from live.dashboards.current import Dashboards, fitting
from live.dashboards.loading import DashboardsError
from live.dashboards.model import DashboardsFile
from live.framer import Frame, Framer, frame_bytes
from live.hubs import hub_from_url
from live.leader import Leader, LeaderLock, PostgresLeaderLock
from live.open_streams import OpenStreams
from live.runtime import EXTENSION, INSTANCES, Live
from live.screens import Screens
from live.store import is_postgres, sqlite_path, store_from_url
from live.supervisor import Supervisor


def init_app(server: Quart, config: Mapping[str, Any] | None = None) -> Live:
    """Create Pulseboard's parts on the app and open and close them with it; return them.

    `config` overrides settings by their short names (e.g. {"DATABASE": "/tmp/points.sqlite3"}),
    after the code defaults and the PULSEBOARD_* environment variables.
    """
    loaded = settings.load(config)
    server.config.update({f"{settings.PREFIX}_{key}": value for key, value in loaded.items()})
    try:
        store = store_from_url(
            loaded["DATABASE"], write_timeout=loaded["WRITE_TIMEOUT_SECONDS"], max_series=loaded["MAX_SERIES"]
        )
    except ValueError as error:
        raise settings.ConfigError(f"{settings.PREFIX}_DATABASE: {error}") from None
    try:
        hub = hub_from_url(loaded["HUB_URL"])
    except ValueError as error:
        raise settings.ConfigError(f"{settings.PREFIX}_HUB_URL: {error}") from None
    try:
        dashboards = open_dashboards(loaded)
    except (DashboardsError, ValidationError) as error:
        raise settings.ConfigError(f"{settings.PREFIX}_DASHBOARDS: {error}") from None
    streams: OpenStreams[Frame] = OpenStreams(loaded["STREAM_QUEUE_FRAMES"], loaded["STREAM_QUEUE_BYTES"], frame_bytes)
    framer = Framer(
        store,
        hub,
        streams,
        rate=loaded["FRAME_RATE"],
        window=loaded["WINDOW_POINTS"],
        heartbeat=loaded["HEARTBEAT_SECONDS"],
    )
    screens = Screens(
        store,
        framer,
        streams,
        dashboards,
        window=loaded["WINDOW_POINTS"],
        replay_max=loaded["REPLAY_MAX_POINTS"],
        retry_ms=loaded["RETRY_MS"],
        heartbeat=loaded["HEARTBEAT_SECONDS"],
    )
    database = loaded["DATABASE"]
    leader: Leader = PostgresLeaderLock(database) if is_postgres(database) else LeaderLock(sqlite_path(database))
    live = Live(loaded, store, hub, framer, screens, streams, leader, Supervisor(), dashboards)
    # The first stays the app's default (get_live outside a request); each is found by its prefix.
    server.extensions.setdefault(EXTENSION, live)
    server.extensions.setdefault(INSTANCES, []).append(live)
    server.before_serving(live.start)
    server.after_serving(live.stop)
    return live


def open_dashboards(config: Mapping[str, Any]) -> Dashboards:
    """Return the dashboards in force: given as models or a mapping from Python, else read from their file."""
    given, max_series, window = config["DASHBOARDS"], config["DASHBOARD_MAX_SERIES"], config["WINDOW_POINTS"]
    auto = config["AUTO_MAX_PANELS"]
    if isinstance(given, str):
        return Dashboards.open(dashboards_path(config), max_series, window, auto)
    models = DashboardsFile.model_validate(given)  # a mapping, or models (validated as they were built)
    return Dashboards(None, fitting(models, Path("<python>"), window), max_series, window, auto)


def dashboards_path(config: Mapping[str, Any]) -> Path | None:
    """Return the dashboards file in force: the one named, else dashboards.yaml beside the database, if there."""
    if config["DASHBOARDS"]:
        return Path(config["DASHBOARDS"])
    if is_postgres(config["DATABASE"]):
        return None  # no folder of its own to look in
    database = sqlite_path(config["DATABASE"])
    beside = Path(database).parent / "dashboards.yaml" if database != ":memory:" else None
    return beside if beside is not None and beside.is_file() else None
