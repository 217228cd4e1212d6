"""Dash callbacks, wired per app by `callbacks.init_app(dash_app)`.

Not `dash.callback`: its global registry is handed whole to the first app that serves a
request, so a second app from the factory (a test, another worker setup) would get none.
"""

from __future__ import annotations

from dash import Dash

from . import graphs, pages


def init_app(dash_app: Dash) -> None:
    """Register every callback module's callbacks on this app."""
    pages.init_app(dash_app)
    graphs.init_app(dash_app)
