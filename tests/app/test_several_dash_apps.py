"""Several Dash apps on one Quart server: Pulseboard's page never takes the websocket route's name (Dash 4.4.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash import Dash, html
from quart import Quart

from pulseboard import Pulseboard, quart_dash


def settings(tmp: Path) -> dict[str, object]:
    return {"DATABASE": str(tmp / "points.sqlite3"), "FEED": False}


def test_two_plain_dash_apps_clash_on_one_quart_server() -> None:
    """The Dash bug worked around: the second plain Dash app fails on the websocket route's endpoint name."""
    server = Quart(__name__)
    Dash(__name__, server=server, url_base_pathname="/one/")
    with pytest.raises(AssertionError, match="websocket_handler"):
        Dash(__name__, server=server, url_base_pathname="/two/")


@pytest.mark.parametrize("host_first", [True, False])
async def test_a_plain_host_dash_app_and_pulseboards_page_share_a_server(tmp_path: Path, host_first: bool) -> None:
    """Whichever comes first, the host's plain Dash app (websockets on) and Pulseboard's page both serve."""
    server = Quart(__name__)
    if host_first:
        host = Dash(__name__, server=server, url_base_pathname="/app/")
    Pulseboard(settings(tmp_path)).init_app(server, prefix="/pulse", dashboard=True)
    if not host_first:
        host = Dash(__name__, server=server, url_base_pathname="/app/")
    host.layout = html.Div("host")
    async with server.test_app():
        client = server.test_client()
        assert (await client.get("/app/")).status_code == 200
        assert (await client.get("/pulse/")).status_code == 200
    assert "/app/_dash-ws-callback" in {rule.rule for rule in server.url_map.iter_rules()}


async def test_quart_dash_puts_several_apps_of_the_host_on_one_server(tmp_path: Path) -> None:
    """quart_dash is the documented fix for the host's own apps: three apps, one of them with websockets."""
    server = Quart(__name__)
    apps = [
        quart_dash(server, url_base_pathname="/one/", websocket=True),
        quart_dash(server, url_base_pathname="/two/"),
        quart_dash(server, url_base_pathname="/three/"),
    ]
    for number, app in enumerate(apps):
        app.layout = html.Div(f"app {number}")
    async with server.test_app():
        client = server.test_client()
        for prefix in ("/one/", "/two/", "/three/"):
            assert (await client.get(prefix)).status_code == 200
            assert (await client.get(prefix + "_dash-layout")).status_code == 200
