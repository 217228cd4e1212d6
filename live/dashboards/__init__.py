"""Dashboards as code: a YAML file of named screens, each a grid of panels showing the series it selects.

A dashboards file (DASHBOARDS.md) lists dashboards, each served at /d/<name>, whose panels (line,
stat or gauge) pick series by name, glob and label filter. The pure parts: `selectors` parses and
matches those picks, `model` holds the pydantic models that are both the file format and the Python
API, and `loading` reads YAML into them with errors naming file, line, dashboard, panel and field.
Serving them: `audience` decides which series each dashboard's screens are sent, `panels` builds
their components, `current` keeps the last good file in force and `watch` reloads it on change.
"""

from __future__ import annotations

from live.dashboards.loading import DashboardsError, parse_dashboards, read_dashboards
from live.dashboards.model import PALETTE, Dashboard, DashboardsFile, PanelSpec, Threshold
from live.dashboards.selectors import Selector, parse_selector

__all__ = [
    "PALETTE",
    "Dashboard",
    "DashboardsError",
    "DashboardsFile",
    "PanelSpec",
    "Selector",
    "Threshold",
    "parse_dashboards",
    "parse_selector",
    "read_dashboards",
]
