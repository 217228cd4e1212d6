"""app2, its own Dash app (own server), dispatched under /app2: a population chart with a picker."""

from dash import Dash, Input, Output, dcc, html

POPULATION = {  # millions, by year
    "Canada": {2000: 30.7, 2010: 34.0, 2020: 38.0},
    "Mexico": {2000: 98.9, 2010: 114.1, 2020: 126.0},
}


def create_app2():
    app = Dash(__name__, requests_pathname_prefix="/app2/")
    app.layout = html.Div(
        [
            html.H1("Population"),
            dcc.Dropdown(list(POPULATION), "Canada", id="country"),
            dcc.Graph(id="population"),
        ]
    )

    @app.callback(Output("population", "figure"), Input("country", "value"))
    def draw(country):
        years = POPULATION[country]
        return {"data": [{"x": list(years), "y": list(years.values()), "type": "bar"}],
                "layout": {"title": {"text": country}}}

    return app
