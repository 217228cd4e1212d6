"""In development, a Dash callback that holds the event loop is named in a warning; one that awaits is not."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from dash import Dash, Input, Output, html
from quart import Quart

from pulseboard import Pulseboard

HELD_SECONDS = 0.25  # the callback's own work, not a wait of the test's


def host(tmp: Path, debug: bool) -> Quart:
    server = Quart(__name__)
    server.debug = debug
    app = Dash(__name__, server=server, url_base_pathname="/app/")
    app.layout = html.Div([html.Button(id="go"), html.Div(id="held"), html.Div(id="awaited")])

    @app.callback(Output("held", "children"), Input("go", "n_clicks"))
    def held(n_clicks: int | None) -> str:
        time.sleep(HELD_SECONDS)  # what a Flask habit does: blocking work in a plain def
        return "done"

    @app.callback(Output("awaited", "children"), Input("go", "n_clicks"))
    async def awaited(n_clicks: int | None) -> str:
        await asyncio.sleep(HELD_SECONDS)
        return "done"

    Pulseboard({"DATABASE": str(tmp / "p.sqlite3"), "FEED": False}).init_app(server, dashboard=False)
    return server


async def call(server: Quart, output: str) -> int:
    client = server.test_client()
    await client.get("/app/")  # Dash sets itself up on its first request
    body = {"output": f"{output}.children", "outputs": {"id": output, "property": "children"},
            "inputs": [{"id": "go", "property": "n_clicks", "value": 1}], "changedPropIds": ["go.n_clicks"]}
    return (await client.post("/app/_dash-update-component", json=body)).status_code


@pytest.mark.parametrize("debug", [True, False])
async def test_a_sync_callback_holding_the_loop_is_named_in_development(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    server = host(tmp_path, debug)
    with caplog.at_level(logging.WARNING, logger="pulseboard.blocking"):
        async with server.test_app():
            assert await call(server, "held") == 200
            assert await call(server, "awaited") == 200
    warnings = [record.getMessage() for record in caplog.records if record.name == "pulseboard.blocking"]
    if not debug:
        assert warnings == []
        return
    assert len(warnings) == 1
    assert "held.children" in warnings[0] and "async def" in warnings[0] and "asyncio.to_thread" in warnings[0]
