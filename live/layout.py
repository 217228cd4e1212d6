"""The dashboard page: component ids, the layout, and what the browser script is told (pure)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from live.figures import FIGURE_TEMPLATE, THEMES, TRACE_TEMPLATE, animation_options

GRAPH_TYPE = "pb-graph"
SLOT_TYPE = "pb-slot"  # where an automatic page's panel goes: its graph is made in it when on screen
GRAPHS = "pb-graphs"
CURSOR = "pb-cursor"
SETTINGS = "pb-settings"
STATUS = "pb-status"
THEME = "pb-theme"
THEME_INIT = "pb-theme-init"
TITLE = "pb-title"
ERROR = "pb-error"
CLOCK = "pb-clock"
STALE_COUNT = "pb-stale-count"
# Which page this is: {"dashboard": name, "kiosk": bool, "page": n}; name None: the automatic dashboard's page n.
PAGE = "pb-page"
# A hidden graph that loads Plotly early; a dict id, as every graph's on the page (scripts read them as JSON).
WARM = {"type": "pb-warm"}
REBUILD = "pb-rebuild"  # set by the script when the dashboards file changed: draw the panels again


def graph_id(panel: str) -> dict[str, str]:
    """Return the pattern-matching id of a panel's graph.

    Panel ids are p0, p1, ...: never a series name, as Dash's renderer breaks on dict ids
    with a "." in a value, and series names have dots.
    """
    return {"type": GRAPH_TYPE, "panel": panel}


def panel_slot(panel: str, used: bool) -> html.Div:
    """Return the place of an automatic page's panel; unused ones are hidden until a new series name takes one.

    The script makes each graph in its slot when the slot is on screen: a change to one slot's
    children renders that slot alone, where appending to the grid remounted every graph in it.
    """
    return html.Div(id={"type": SLOT_TYPE, "panel": panel}, className="pb-slot pb-used" if used else "pb-slot")


def graph_props(config: dict[str, Any]) -> dict[str, Any]:
    """Return the dcc.Graph properties every panel's graph shares."""
    return {
        "animate": True,
        "animation_options": animation_options(config["ANIMATION_MS"], config["ANIMATION_EASING"]),
        "config": {"displaylogo": False, "responsive": True},
        "className": "pb-graph",
        "style": {"height": "280px"},
    }


def script_settings(config: dict[str, Any], stream_url: str) -> dict[str, Any]:
    """Return what the browser script needs: where to stream from, how to draw, the themes."""
    return {
        "stream": stream_url,
        "window": config["WINDOW_POINTS"],
        "frameRate": config["FRAME_RATE"],
        "graph": graph_props(config),
        "themes": THEMES,
        "templates": {"figure": FIGURE_TEMPLATE, "trace": TRACE_TEMPLATE},
    }


_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off"}


def kiosk_mode(asked: str | None, default: bool) -> bool:
    """Return whether a page is a wall screen: ?kiosk=1 or 0 as asked, else the dashboard's `kiosk`."""
    word = (asked or "").strip().lower()
    return True if word in _YES else False if word in _NO else default


def header(title: str, home_url: str | None, controls: bool = True, strip: bool = False) -> html.Header:
    """Return the page's header: a link home, the title, the stream's state and the theme control.

    With `strip` (a dashboard's), a count of stale panels and a clock too: in kiosk mode the
    header is a thin strip of the title, that count, the stream's state and the clock.
    """
    children: list[Any] = []
    if home_url is not None:
        children.append(html.A("Dashboards", href=home_url, className="pb-home"))
    children.append(html.H1(title, id=TITLE, title=title))
    if strip:
        children.append(html.Span("", id=STALE_COUNT, className="pb-stale-count"))
    if controls:
        children += [
            html.Span("connecting", id=STATUS, className="pb-status pb-status-connecting"),
            html.Label(
                className="pb-control",
                children=["theme ", dcc.RadioItems(id=THEME, options=list(THEMES), value="light", inline=True)],
            ),
        ]
    if strip:
        children.append(html.Time("", id=CLOCK, className="pb-clock"))
    return html.Header(className="pb-header", children=children)


def error_banner(error: str | None) -> html.Div:
    """Return the banner that shows why the dashboards file on disk is not in force (hidden when it is)."""
    return html.Div(
        html.Pre(error or ""), id=ERROR, className="pb-error", role="alert", hidden=not error
    )


def layout(
    config: dict[str, Any],
    stream_url: str,
    *,
    dashboard: str | None = None,
    page: int = 1,
    title: str = "Pulseboard",
    home_url: str | None = None,
    error: str | None = None,
    kiosk: bool = False,
    playlist: tuple[str, ...] = (),
    interval: float = 30.0,
) -> html.Div:
    """Return a live page: controls, an empty grid the load callback fills, and the script's settings.

    With a dashboard's name, its panels; with a playlist, its dashboards' panels, shown one dashboard
    at a time for `interval` seconds each; without either, the automatic page (one panel per series name).
    A kiosk page (a dashboard's, for a wall) has a strip for a header and its panels fill the screen.
    """
    board = dashboard is not None or bool(playlist)
    kiosk = kiosk and board
    grid = "pb-slides" if playlist else "pb-dashboard" if board else "pb-graphs"
    which = {"dashboard": dashboard, "kiosk": kiosk, "page": page}
    if playlist:
        which.update(playlist=list(playlist), interval=interval)
    return html.Div(
        className="pb-page pb-kiosk" if kiosk else "pb-page",
        children=[
            header(title, home_url, strip=board),
            error_banner(error),
            html.Main(id=GRAPHS, className=grid, children=[]),
            # Plotly loads with the first graph, a 3.5 MB script: this empty one has it load and
            # compile while the server draws the panels, not when the first panel is made (then
            # every panel made meanwhile waited for it and was drawn in one 1.4 s task; issue 13).
            dcc.Graph(id=WARM, figure={}, style={"display": "none"}, config={"staticPlot": True}),
            dcc.Store(id=THEME_INIT),
            dcc.Store(id=CURSOR),
            dcc.Store(id=REBUILD),
            dcc.Store(id=PAGE, data=which),
            dcc.Store(id=SETTINGS, data=script_settings(config, stream_url)),
        ],
    )


def home_layout(boards: list[tuple[str, str, int, str]], all_url: str, error: str | None) -> html.Div:
    """Return the list of dashboards: (name, title, panel count, url) each, and the page of every series."""
    items = [
        html.Li(html.A([html.Strong(title), html.Span(f"{name} · {count} panels")], href=url))
        for name, title, count, url in boards
    ]
    items.append(html.Li(html.A([html.Strong("All series"), html.Span("one panel per series name")], href=all_url)))
    return html.Div(
        className="pb-page",
        children=[
            header("Pulseboard", None, controls=False),
            error_banner(error),
            html.Main(className="pb-home-list", children=[html.Ul(items)]),
        ],
    )


def missing_layout(name: str | None, home_url: str) -> html.Div:
    """Return the page for a dashboard name the file does not have."""
    return problem_layout(f"There is no dashboard named {name!r}.", home_url)


def problem_layout(text: str, home_url: str) -> html.Div:
    """Return a page that says why what the URL asks for cannot be shown."""
    return html.Div(
        className="pb-page",
        children=[
            header("Pulseboard", home_url, controls=False),
            html.Main(className="pb-missing", children=[html.P(text)]),
        ],
    )
