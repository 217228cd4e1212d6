"""Pulseboard: the app factory. `uvicorn app:server` serves it."""

from __future__ import annotations

from typing import Any

from dash import Dash
from quart import Quart

import callbacks
import live
from live import access
from live.page import layout
from routes import health, ingest, metrics, stream


def create_app(config: dict[str, Any] | None = None) -> Dash:
    """Build Quart and Dash, wire Pulseboard's parts, routes and callbacks, and return Dash.

    `config` overrides settings by their short names (e.g. {"DATABASE": ":memory:"}),
    after the code defaults and the PULSEBOARD_* environment variables.
    """
    server = Quart(__name__, instance_relative_config=True)
    settings = live.init_app(server, config)
    access.init_app(server, settings.config)
    # Dash reads its prefixes from DASH_* environment variables (url_base_pathname and friends).
    dash_app = Dash(__name__, server=server, title="Pulseboard", update_title=None)
    # Dash 4.4 on Quart has every page open a websocket for websocket callbacks, used or not;
    # Pulseboard has none, and a connection per screen (and a proxy rule for it) is not free.
    dash_app.backend.websocket_capability = False
    # Pulseboard's own routes move with Dash's, so a prefix applies to both.
    prefix = dash_app.config.routes_pathname_prefix.rstrip("/")
    for blueprint in (ingest.bp, stream.bp, health.bp, metrics.bp):
        server.register_blueprint(blueprint, url_prefix=prefix)
    dash_app.layout = layout(settings.config, dash_app.get_relative_path("/api/stream"))
    callbacks.init_app(dash_app)
    return dash_app


app = create_app()
server = app.server
