"""The time-range picker offers only spans retention keeps whole, and says its ranges as data attributes."""

from __future__ import annotations

from typing import Any

import pytest

from live.range_bar import RANGE_FROM, RANGE_TO, asks_range, range_bar


def presets(bar: Any) -> list[tuple[str, str, str]]:
    buttons = bar.children[0].children
    return [(b.children, getattr(b, "data-from"), getattr(b, "data-to")) for b in buttons]


@pytest.mark.parametrize(
    ("retention", "labels"),
    [
        (86400, ["Live", "15 min", "1 h", "6 h", "24 h"]),
        (7 * 86400, ["Live", "15 min", "1 h", "6 h", "24 h", "7 d"]),
        (3600, ["Live", "15 min", "1 h"]),
    ],
)
def test_presets_stay_within_retention(retention: int, labels: list[str]) -> None:
    assert [label for label, _, _ in presets(range_bar(retention))] == labels


def test_each_preset_names_its_range_as_the_url_does() -> None:
    assert presets(range_bar(86400))[:3] == [("Live", "", ""), ("15 min", "now-15m", "now"), ("1 h", "now-1h", "now")]
    bar = range_bar(86400)
    custom = bar.children[1]
    assert [child.id for child in custom.children if getattr(child, "id", None)] == [RANGE_FROM, RANGE_TO]
    assert getattr(bar, "data-retention") == "86400"


def test_a_page_asks_for_a_range_with_from_or_to() -> None:
    assert asks_range({"from": "now-6h"}) and asks_range({"to": "now"}) and asks_range({"from": "", "page": "2"})
    assert not asks_range({"page": "2", "theme": "dark"})
