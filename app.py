"""Pulseboard, standalone: the app factory. `uvicorn app:server` serves it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from dash import Dash
from quart import Quart, Response

import callbacks
import live
from live import access
from live.connections import expose_transport
from live.gc_tuning import tune_collector
from routes import health, history, influx, ingest, metrics, otlp, prometheus, stream

WORKER_HEADER = "X-Pulseboard-Worker"


def create_app(config: Mapping[str, Any] | None = None) -> Dash:
    """Build Quart and Dash, wire Pulseboard's parts, routes and callbacks, and return Dash.

    `config` overrides settings by their short names (e.g. {"DATABASE": "/tmp/points.sqlite3"}),
    after the code defaults and the PULSEBOARD_* environment variables.
    """
    server = Quart(__name__, instance_relative_config=True)
    pulse = live.init_app(server, config)
    # The process is Pulseboard's alone here, so these apply to all of it; an app that embeds
    # Pulseboard chooses its own.
    server.config["MAX_CONTENT_LENGTH"] = pulse.config["MAX_BODY_BYTES"]
    access.init_app(server, pulse.config)
    server.after_request(tag_worker)
    # Streams reach their connection under uvicorn: capped send buffers, aborted when cut.
    server.asgi_app = expose_transport(server.asgi_app)

    @server.before_serving
    async def own_the_process() -> None:
        tune_collector()
        pulse.streams.watch_signals()

    @server.after_serving
    async def release_the_process() -> None:
        pulse.streams.unwatch_signals()

    # Dash reads its prefixes from DASH_* environment variables (url_base_pathname and friends).
    # Pages (callbacks/pages.py) with no pages folder: they are registered by the factory.
    dash_app = Dash(
        __name__, server=server, title="Pulseboard", update_title=None, use_pages=True, pages_folder=""
    )
    # Dash 4.4 on Quart has every page open a websocket for websocket callbacks, used or not;
    # Pulseboard has none, and a connection per screen (and a proxy rule for it) is not free.
    dash_app.backend.websocket_capability = False
    # Pulseboard's own routes move with Dash's, so a prefix applies to both.
    prefix = dash_app.config.routes_pathname_prefix.rstrip("/")
    for blueprint in (ingest.bp, stream.bp, health.bp, metrics.bp, otlp.bp, prometheus.bp, influx.bp, history.bp):
        server.register_blueprint(blueprint, url_prefix=prefix)
    callbacks.init_app(dash_app)
    return dash_app


async def tag_worker(response: Response) -> Response:
    """Say which worker answered, for whoever debugs a load balancer (and the tests of the spread)."""
    response.headers[WORKER_HEADER] = str(os.getpid())
    return response


app = create_app()
server = app.server
