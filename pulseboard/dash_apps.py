"""Several Dash apps on one Quart server: `quart_dash(server, ...)` makes each without the clash.

Dash 4.4.1's Quart backend registers every app's websocket-callback route under one endpoint
name, `websocket_handler` (`@server.websocket(path)` on a function of that name), so a second
Dash app on the same server fails with "View function mapping is overwriting an existing
endpoint function: websocket_handler". That route is made while the Dash constructor runs, so
switching websockets off afterwards is too late: the app is made with server=False, told to have
no websocket callbacks, and only then put on the server.
"""

from __future__ import annotations

import sys
from typing import Any

from dash import Dash
from quart import Quart


def quart_dash(server: Quart, *, websocket: bool = False, **dash_options: Any) -> Dash:
    """Return a Dash app on `server` (Quart backend); with websocket=False (the default) it adds no websocket route.

    At most one Dash app per server may have websocket=True (Dash names that route the same in every app).
    """
    # Dash finds the assets folder beside the module named: the caller's, as Dash(...) would.
    dash_options.setdefault("name", sys._getframe(1).f_globals.get("__name__", "__main__"))
    dash_app = Dash(server=False, backend="quart", **dash_options)
    # Every page of an app with websockets opens one, used or not; a Pulseboard screen has no
    # websocket callbacks, and a connection per screen (and a proxy rule for it) is not free.
    dash_app.backend.websocket_capability = websocket
    dash_app.init_app(server)
    return dash_app
