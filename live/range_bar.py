"""A dashboard page's time-range picker: live, the last 15 min to 7 d (within retention), or from/to (pure).

The buttons and inputs only carry their ranges as data-* attributes; the page's script
(assets/pulseboard-picker.js, pulseboard-history.js) reads and writes the range in the URL
(?from=now-6h&to=now) and draws it, so a link shows a colleague the same view.

Only a dashboard's page looks back. The automatic page (one panel per series name, made as
the names arrive) is live only and says so when its URL asks for a range; a playlist refuses one.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

RANGE = "pb-range"
RANGE_FROM = "pb-range-from"
RANGE_TO = "pb-range-to"
RANGE_NOTE = "pb-range-note"
RANGE_PARAMETERS = ("from", "to")
LIVE_ONLY = (
    "This page is live only: looking back (?from=, ?to=) is for a dashboard's page, such as"
    " /d/<name>?from=now-6h&to=now (see DASHBOARDS.md)."
)
PLAYLIST_LIVE = (
    "a playlist shows its dashboards live, in turn: a time range (?from=, ?to=) is for one"
    " dashboard's page, such as /d/<name>?from=now-6h&to=now"
)
PRESETS = (("15 min", "now-15m", 900), ("1 h", "now-1h", 3600), ("6 h", "now-6h", 6 * 3600),
           ("24 h", "now-24h", 86400), ("7 d", "now-7d", 7 * 86400))


def _preset(label: str, start: str, end: str, title: str) -> html.Button:
    attributes: dict[str, Any] = {"data-from": start, "data-to": end}
    return html.Button(label, className="pb-range-preset", title=title, type="button", **attributes)


def range_bar(retention_seconds: float) -> html.Div:
    """Return the picker: a preset per span retention keeps whole, and a custom from/to."""
    presets = [_preset("Live", "", "", "the newest points, as they arrive")]
    presets += [
        _preset(label, start, "now", f"the last {label}, sliding as points arrive")
        for label, start, seconds in PRESETS
        if seconds <= retention_seconds
    ]
    custom = html.Form(
        className="pb-range-custom",
        # The hint in full where there is room for it (a placeholder is cut on a phone).
        title="From and to: now-2h, now, or ISO 8601 times such as 2026-12-03T10:00Z",
        children=[
            dcc.Input(id=RANGE_FROM, type="text", className="pb-range-input", autoComplete="off",
                      placeholder="from: now-2h"),
            html.Span("–", className="pb-range-dash"),
            dcc.Input(id=RANGE_TO, type="text", className="pb-range-input", autoComplete="off", placeholder="to: now"),
            html.Button("Show", className="pb-range-apply", type="submit"),
        ],
    )
    return html.Div(
        id=RANGE,
        className="pb-range",
        role="group",
        children=[
            html.Div(className="pb-range-presets", children=presets),
            custom,
            html.Span("", id=RANGE_NOTE, className="pb-range-note", role="status"),
        ],
        **{"aria-label": "time range", "data-retention": str(int(retention_seconds))},
    )


def asks_range(query: dict[str, Any]) -> bool:
    """Return whether a page's query string names a time range."""
    return any(name in query for name in RANGE_PARAMETERS)


def live_only_note() -> html.P:
    """Return what a live-only page says when its URL asks for a range, instead of ignoring it."""
    return html.P(LIVE_ONLY, className="pb-range pb-range-refused", role="status")
