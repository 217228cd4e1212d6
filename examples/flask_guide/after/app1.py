"""app1, hosted directly on the site's server: the orders as they come."""

from dash import Dash, html

from pulseboard import LiveGraph


def init_app1(server):
    app = Dash(__name__, server=server, url_base_pathname="/app1/")
    app.layout = html.Div(
        [
            html.H1("Orders"),
            LiveGraph("orders.amount", title="Orders"),
        ]
    )
    return app
