"""Pulseboard, standalone: the app factory. `uvicorn app:server` serves it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from dash import Dash
from quart import Quart, Response

from live.gc_tuning import tune_collector
from pulseboard.embed import WORKER_HEADER, Pulseboard


def create_app(config: Mapping[str, Any] | None = None) -> Dash:
    """Build Quart, put Pulseboard and its page on all of it, and return Dash.

    `config` overrides settings by their short names, after the code defaults and the
    PULSEBOARD_* environment variables. Dash's prefixes come from its DASH_* environment
    variables (url_base_pathname and friends). For example (tests/app/test_embed.py runs it):

        app = create_app({"DATABASE": ":memory:", "FEED": False})
        server = app.server  # uvicorn module:server
    """
    server = Quart(__name__, instance_relative_config=True)
    pulse = Pulseboard(config).init_app(server, prefix=None, dashboard=True)
    # The process is Pulseboard's alone here, so these apply to all of it; an app that embeds
    # Pulseboard chooses its own. (Its login covers every route here: they are all Pulseboard's.)
    server.config["MAX_CONTENT_LENGTH"] = pulse.live.config["MAX_BODY_BYTES"]
    server.after_request(tag_worker)

    @server.before_serving
    async def own_the_process() -> None:
        tune_collector()
        pulse.live.streams.watch_signals()

    @server.after_serving
    async def release_the_process() -> None:
        pulse.live.streams.unwatch_signals()

    assert pulse.dash is not None
    return pulse.dash


async def tag_worker(response: Response) -> Response:
    """Say which worker answered, for whoever debugs a load balancer (and the tests of the spread)."""
    response.headers[WORKER_HEADER] = str(os.getpid())
    return response


app = create_app()
server = app.server
