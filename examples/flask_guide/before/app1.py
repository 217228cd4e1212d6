"""app1, hosted directly on the site's server: the orders as they come."""

from dash import Dash, Input, Output, State, dcc, html


def init_app1(server, orders):
    app = Dash(__name__, server=server, url_base_pathname="/app1/")
    app.layout = html.Div(
        [
            html.H1("Orders"),
            dcc.Graph(id="orders", figure={"data": [{"x": [], "y": [], "mode": "lines"}]}),
            dcc.Interval(id="tick", interval=1000),
            dcc.Store(id="seen", data=0),
        ]
    )

    @app.callback(Output("orders", "extendData"), Output("seen", "data"), Input("tick", "n_intervals"),
                  State("seen", "data"))
    def poll(_n, seen):
        new = orders[seen:]
        if not new:
            return None, seen
        return ({"x": [list(range(seen, seen + len(new)))], "y": [new]}, [0], 200), seen + len(new)

    return app
