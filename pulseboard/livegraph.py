"""`LiveGraph(series)`: a live graph for a host's own Dash layouts (the All-in-One component pattern).

Importing this module is what makes Dash serve its script (pulseboard/livegraph.js, named in
pulseboard's `_js_dist`): a component class defined in a package puts the package on Dash's
component registry. The script finds every LiveGraph on the page by its data-pb-* attributes,
opens one stream per Pulseboard for the union of their series (`?series=`), and hands each
graph a Patch() per frame. Ids carry series names percent-encoded, dots included: a "." in a
dict id's value breaks Dash's renderer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from dash import dcc, html

from live.layout import graph_props
from pulseboard.embed import STARTED, Pulseboard


def safe_id(names: Sequence[str]) -> str:
    """Return an id part standing for these series names: percent-encoded, no dots, the same for the same names."""
    return ",".join(quote(name, safe="").replace(".", "%2E") for name in names)


class LiveGraph(html.Div):
    """A graph of `series` (one name or several), drawn and kept live by Pulseboard's stream."""

    class ids:
        """The ids of a LiveGraph's parts, for the host's own callbacks."""

        @staticmethod
        def graph(aio_id: str) -> dict[str, str]:
            """Return the id of the dcc.Graph inside the LiveGraph with this aio_id."""
            return {"component": "LiveGraph", "subcomponent": "graph", "aio_id": aio_id}

    def __init__(
        self,
        series: str | Sequence[str],
        *,
        title: str | None = None,
        pulse: Pulseboard | None = None,
        aio_id: str | None = None,
        height: str = "320px",
        graph: dict[str, Any] | None = None,
        **div_props: Any,
    ) -> None:
        """Make the graph; `pulse` defaults to the last Pulseboard put on an app, `graph` adds dcc.Graph props."""
        names = [series] if isinstance(series, str) else list(series)
        if not names or not all(isinstance(name, str) and name for name in names):
            raise ValueError(f"LiveGraph needs one or more series names, got {series!r}")
        source = pulse or (STARTED[-1] if STARTED else None)
        if source is None:
            raise RuntimeError("LiveGraph needs a Pulseboard: call Pulseboard(...).init_app(server) first")
        self.aio_id = aio_id or safe_id(names)
        config = source.live.config  # its animation settings; raises if init_app was not called
        props = {**graph_props(config), "className": "pb-livegraph-graph", "style": {"height": height}, **(graph or {})}
        figure = {
            "data": [],
            "layout": {
                "title": {"text": title if title is not None else ", ".join(names)},
                "xaxis": {"type": "date"},
                "margin": {"l": 48, "r": 16, "t": 48, "b": 40},
                "uirevision": self.aio_id,
            },
        }
        graph_id = self.ids.graph(self.aio_id)
        attributes = {
            "data-pb-livegraph": json.dumps(graph_id, sort_keys=True),
            "data-pb-series": json.dumps(names),
            "data-pb-stream": source.stream_url,
        }
        super().__init__([dcc.Graph(id=graph_id, figure=figure, **props)], **attributes, **div_props)
