"""Which traces each panel draws: the automatic dashboard, one panel per series name (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from live.figures import Trace, panel_figure
from live.window import Window


class Panel(NamedTuple):
    """A graph on the page: its id, its title, and the series keys of its traces, in order."""

    id: str
    title: str
    traces: list[str]

    def cursor(self, windows: Mapping[str, Window]) -> dict[str, Any]:
        """Return the panel as the browser script is told of it: its traces, their extents and their points.

        The extents let the page range the whole panel when a frame updates only some traces.
        """
        extents = [list(windows[key].extents()) for key in self.traces]
        data = [{"key": key, **windows[key].trace()} for key in self.traces]  # its graph is made from these
        return {"id": self.id, "name": self.title, "traces": self.traces, "extents": extents, "data": data}


def auto_panels(windows: Mapping[str, Window]) -> list[Panel]:
    """Return one panel per series name, each label set of that name a trace, in the order first seen."""
    by_name: dict[str, list[str]] = {}
    for key, window in windows.items():
        by_name.setdefault(window.name, []).append(key)
    return [Panel(f"p{index}", name, keys) for index, (name, keys) in enumerate(by_name.items())]


def panel_figures(panels: list[Panel], windows: Mapping[str, Window], theme: str) -> list[dict[str, Any]]:
    """Return each panel's figure, drawn from the windows."""
    figures = []
    for panel in panels:
        traces = [_trace(key, windows[key]) for key in panel.traces]
        figures.append(panel_figure(panel.title, traces, theme))
    return figures


def _trace(key: str, window: Window) -> Trace:
    return Trace(key, window.name, window.labels, window.xs(), list(window.ys))
