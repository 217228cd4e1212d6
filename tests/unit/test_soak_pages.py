"""The soak benchmark's page: one dashboard, or a playlist URL over dashboards that show the same series."""

from __future__ import annotations

from benchmarks.soak import boards, page_path
from benchmarks.wall_page import value


def test_one_dashboard_is_opened_in_kiosk_mode() -> None:
    assert page_path("", ["soak"], "30s") == "/d/soak?kiosk=1"


def test_a_playlist_opens_its_first_dashboard_with_the_playlist_and_interval() -> None:
    assert page_path("", ["a", "b", "c"], "30s") == "/d/a?kiosk=1&playlist=a,b,c&interval=30s"


def test_a_given_path_is_filled_in() -> None:
    path = "/wall/{first}?playlist={playlist}&every={interval}"
    assert page_path(path, ["a", "b"], "10s") == "/wall/a?playlist=a,b&every=10s"


def test_every_playlist_dashboard_shows_every_series_each_starting_at_another() -> None:
    series = [f"s{i}" for i in range(6)]
    shown = boards(["a", "b", "c"], series)
    assert shown == {
        "a": series,
        "b": ["s2", "s3", "s4", "s5", "s0", "s1"],
        "c": ["s4", "s5", "s0", "s1", "s2", "s3"],
    }


def test_values_stay_in_the_seeded_range_unless_wide() -> None:
    """0 to 99, as the seeded windows, so the axes do not change scale; above a million if asked."""
    values = [value(i, seq) for i in range(16) for seq in range(200)]
    assert min(values) >= 0 and max(values) <= 99 and len(set(values)) == 100
    assert value(3, 2, wide=True) > 1_000_000
