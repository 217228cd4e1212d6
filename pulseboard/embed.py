"""`Pulseboard(config)`: one Pulseboard on a host's Quart app, its routes, tasks and page under a prefix.

`init_app(server, prefix="/pulse", dashboard=True)` puts it on the app and changes nothing the
host did not ask for: no body limit, header, collector setting or signal handler for the whole
app, and its login (PULSEBOARD_USERS) covers its own routes only. Its blueprints are nested in
one named after it ("pulseboard", then "pulseboard_2", ...), so a host blueprint named "health"
is left alone, and two Pulseboards with their own databases can share an app.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dash import Dash
from quart import Blueprint, Quart, Response, request

import live
from live import access
from live.config import ConfigError
from live.connections import expose_transport
from live.model import Commit
from live.runtime import Live
from pulseboard import callbacks
from pulseboard.blocking import in_development, watch_callbacks
from pulseboard.dash_apps import quart_dash
from pulseboard.routes import health, history, influx, ingest, metrics, otlp, prometheus, stream

ROUTES = (ingest, stream, health, metrics, otlp, prometheus, influx, history)
WORKER_HEADER = "X-Pulseboard-Worker"
DASHBOARD_ON = "pulseboard.dashboard"
_HERE = Path(__file__).resolve().parent
# assets/ is inside the package once installed, beside it in the repository.
ASSETS = _HERE / "assets" if (_HERE / "assets").is_dir() else _HERE.parent / "assets"
# The Pulseboard last put on an app in this process: LiveGraph's default (pass pulse= when there are two).
STARTED: list[Pulseboard] = []


class Pulseboard:
    """One Pulseboard: give it settings, put it on an app with init_app, push points to it from Python."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, name: str | None = None) -> None:
        """Keep the settings (short names, e.g. {"DATABASE": "points.sqlite3"}) over PULSEBOARD_* and the defaults."""
        self.settings = dict(config or {})
        self.name = name
        self.prefix = ""
        self.dash: Dash | None = None
        self._live: Live | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def init_app(
        self,
        server: Quart,
        prefix: str | None = "/pulse",
        dashboard: bool = True,
        warn_blocking_ms: float | None = None,
    ) -> Pulseboard:
        """Put Pulseboard on the app: routes under `prefix`, its page there too when `dashboard`; return self.

        prefix=None takes the prefix from Dash's DASH_* environment variables (the standalone app).
        warn_blocking_ms: log a Dash callback (any Dash app's on the server) that holds the event loop
        longer; by default 100 ms in development (Quart's debug or DASH_DEBUG) and off otherwise; 0 is off.
        """
        if dashboard and server.extensions.get(DASHBOARD_ON):
            # Dash's page registry is one per process: a second page set would replace the first's.
            raise ConfigError("only one Pulseboard on an app may have dashboard=True; pass dashboard=False")
        pulse = self._live = live.init_app(server, self.settings)
        if dashboard:
            server.extensions[DASHBOARD_ON] = True
            self.dash = self._dashboard(server, prefix)
            prefix = self.dash.config.routes_pathname_prefix
        self.prefix = pulse.prefix = "/" + (prefix or "").strip("/") if (prefix or "").strip("/") else ""
        self._mount_routes(server)
        access.init_app(server, pulse.config, covers=self._covers if self.prefix else None)
        if not getattr(server, "_pulseboard_transport", False):
            # Streams reach their connection under uvicorn: capped send buffers, aborted when cut.
            # It only adds a key to each request's scope, so the host's routes see no change.
            server.asgi_app = expose_transport(server.asgi_app)
            server._pulseboard_transport = True  # type: ignore[attr-defined]

        @server.before_serving
        async def at_start() -> None:
            self._loop = asyncio.get_running_loop()  # for push_threadsafe
            # Decided at start, when the host's own Dash apps are on the server and debug is known.
            limit = warn_blocking_ms if warn_blocking_ms is not None else (100.0 if in_development(server) else 0.0)
            if limit > 0:
                watch_callbacks(server, limit / 1000)

        STARTED.append(self)
        return self

    @property
    def live(self) -> Live:
        """Return the running parts (store, hub, framer...); init_app must have been called."""
        if self._live is None:
            raise RuntimeError("Pulseboard.init_app(server) has not been called")
        return self._live

    @property
    def stream_url(self) -> str:
        """Return the path of this Pulseboard's event stream (what LiveGraph's script opens)."""
        return f"{self.prefix}/api/stream"

    async def push(
        self, series: str, value: object, ts: object = None, labels: Mapping[str, str] | None = None
    ) -> Commit:
        """Store one point, validated as HTTP ingest is (numpy numbers and datetime welcome); return the commit.

        Raises live.model.InvalidInput (a ValueError naming the field) for a bad point: nothing is stored.
        """
        return await self.live.push(series, value, ts=ts, labels=labels)

    async def push_many(self, points: Iterable[Mapping[str, Any] | Sequence[Any]]) -> Commit:
        """Store points in one transaction: mappings as HTTP ingest takes them, or (series, value[, ts[, labels]])."""
        return await self.live.ingest([_as_item(point) for point in points])

    def push_threadsafe(
        self,
        series: str,
        value: object,
        ts: object = None,
        labels: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> Commit:
        """Store one point from a thread that is not the server's (sync code, a worker thread); wait for the commit."""
        loop = self._loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the app is not serving: push_threadsafe needs its event loop running")
        if threading.get_ident() == getattr(loop, "_thread_id", None):
            raise RuntimeError("push_threadsafe was called on the event loop: use `await pulse.push(...)` there")
        return asyncio.run_coroutine_threadsafe(self.push(series, value, ts, labels), loop).result(timeout)

    def _dashboard(self, server: Quart, prefix: str | None) -> Dash:
        options: dict[str, Any] = {}
        if prefix is not None:  # explicit prefixes: the host's DASH_* variables are for its own apps
            root = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
            options = {"routes_pathname_prefix": root, "requests_pathname_prefix": root}
        # Pages (callbacks/pages.py) with no pages folder: they are registered by init_app.
        dash_app = quart_dash(
            server,
            name="pulseboard",
            title="Pulseboard",
            update_title=None,
            use_pages=True,
            pages_folder="",
            assets_folder=str(ASSETS),
            **options,
        )
        callbacks.init_app(dash_app)
        return dash_app

    def _mount_routes(self, server: Quart) -> None:
        # One blueprint of Pulseboard's per instance, its own nested in it: endpoints such as
        # "pulseboard.health.healthz" cannot clash with the host's, nor with another Pulseboard's.
        parent = Blueprint(self._unique_name(server), __name__)
        for module in ROUTES:
            parent.register_blueprint(module.bp)
        parent.after_request(_tag_worker)
        server.register_blueprint(parent, url_prefix=self.prefix or None)

    def _unique_name(self, server: Quart) -> str:
        base = self.name or "pulseboard"
        name, number = base, 1
        while name in server.blueprints:
            number += 1
            name = f"{base}_{number}"
        return name

    def _covers(self) -> bool:
        rule = request.url_rule
        return rule is not None and self.live.covers(rule.rule)


def _as_item(point: Mapping[str, Any] | Sequence[Any]) -> Mapping[str, Any] | Any:
    """Return a point as ingest takes it: a mapping as it is, (series, value[, ts[, labels]]) as a mapping."""
    if isinstance(point, Mapping) or isinstance(point, str | bytes) or not isinstance(point, Sequence):
        return point  # validation names what is wrong with anything else
    item = dict(zip(("series", "value", "ts", "labels"), point, strict=False))
    return {key: value for key, value in item.items() if value is not None}


async def _tag_worker(response: Response) -> Response:
    """Say which worker answered (Pulseboard's routes only), for whoever debugs a load balancer."""
    response.headers[WORKER_HEADER] = str(os.getpid())
    return response
