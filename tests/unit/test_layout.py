"""The page's layout: kiosk mode from the URL or the dashboard, and the strip it shows (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from dash import dcc, html

from live.layout import CLOCK, PAGE, STALE_COUNT, STATUS, THEME, kiosk_mode, layout

CONFIG = {"ANIMATION_MS": 120, "ANIMATION_EASING": "cubic-in-out", "WINDOW_POINTS": 1000, "FRAME_RATE": 5}


def find(component: Any, component_id: str) -> Any:
    """Return the component of that id in a layout's tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize(
    ("asked", "default", "kiosk"),
    [
        (None, False, False),
        (None, True, True),  # the dashboard's kiosk: true
        ("1", False, True),
        ("true", False, True),
        (" Yes ", False, True),
        ("on", False, True),
        ("0", True, False),  # ?kiosk=0 shows a kiosk dashboard with its controls, to edit or check it
        ("false", True, False),
        ("no", True, False),
        ("", True, True),
        ("maybe", False, False),  # not a yes or a no: the dashboard decides
        ("maybe", True, True),
    ],
)
def test_kiosk_mode_is_the_urls_yes_or_no_else_the_dashboards(asked: str | None, default: bool, kiosk: bool) -> None:
    assert kiosk_mode(asked, default) is kiosk


def test_a_kiosk_dashboard_page_has_the_strip_and_keeps_its_controls_for_the_callbacks() -> None:
    page = layout(CONFIG, "/api/stream", dashboard="ops", title="Operations", home_url="/", kiosk=True)
    assert page.className.split() == ["pb-page", "pb-kiosk"]
    assert find(page, PAGE).data == {"dashboard": "ops", "kiosk": True, "page": 1}
    assert isinstance(find(page, CLOCK), html.Time)
    assert find(page, STALE_COUNT) is not None and find(page, STATUS) is not None
    assert isinstance(find(page, THEME), dcc.RadioItems)  # hidden by the stylesheet, read by the load callback


def test_a_dashboard_page_without_kiosk_counts_stale_panels_too() -> None:
    page = layout(CONFIG, "/api/stream", dashboard="ops", title="Operations", home_url="/")
    assert page.className == "pb-page"
    assert find(page, PAGE).data == {"dashboard": "ops", "kiosk": False, "page": 1}
    assert find(page, STALE_COUNT) is not None


def test_the_automatic_page_is_never_a_kiosk() -> None:
    """Kiosk mode fits a dashboard's panels to the screen; the automatic page grows as series arrive."""
    page = layout(CONFIG, "/api/stream", kiosk=True)
    assert page.className == "pb-page"
    assert find(page, PAGE).data == {"dashboard": None, "kiosk": False, "page": 1}
    assert find(page, CLOCK) is None and find(page, STALE_COUNT) is None
