"""Playlists: the URL's names and interval, and one audience for several dashboards (pure)."""

from __future__ import annotations

import pytest

from live.dashboards.audience import Audience, Playlist
from live.dashboards.current import Dashboards
from live.dashboards.model import DashboardsFile
from live.dashboards.playlist import interval_seconds, playlist_names
from tests.unit.test_audience import WINDOW, Feed, board, key


def test_names_are_kept_in_order() -> None:
    assert playlist_names("ops, wall,db") == ("ops", "wall", "db")


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "separated by commas"), ("a,,b", "separated by commas"), ("a,b,a", "'a' is named twice"),
     (",".join(f"d{i}" for i in range(21)), "at most 20")],
)
def test_bad_names_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        playlist_names(value)


@pytest.mark.parametrize(("value", "seconds"), [(None, 30.0), ("30s", 30.0), ("2m", 120.0), ("1h", 3600.0),
                                                 ("45", 45.0), ("7.5s", 7.5), ("5000ms", 5.0)])
def test_intervals(value: str | None, seconds: float) -> None:
    assert interval_seconds(value) == seconds


@pytest.mark.parametrize(("value", "message"), [("1s", "outside 5 s to 24 h"), ("2d", "such as 30s"),
                                                ("-5s", "such as 30s"), ("25h", "outside"), ("1e9", "such as")])
def test_bad_intervals_name_the_parameter(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"interval: .*{message}"):
        interval_seconds(value)


def test_a_playlist_places_each_series_in_every_dashboard_that_draws_it() -> None:
    """Panel ids carry the dashboard's place; caps are each dashboard's own, prefixed."""
    one = Audience(board({"series": ["cpu"]}, name="one"), 1000)
    two = Audience(board({"series": ["mem"]}, {"series": ["cpu", "mem"], "max_traces": 1}, name="two"), 1000)
    playlist = Playlist([one, two])
    feed = Feed()
    selected = playlist.select(feed.frame("cpu", "mem", "disk"), feed.windows)
    assert selected is not None
    assert set(selected["updates"]) == {"cpu", "mem"}
    assert {k: v["panels"] for k, v in selected["new"].items()} == {"cpu": ["s0p0", "s1p1"], "mem": ["s1p0"]}
    assert selected["capped"] == {"s1p1": [1, 2]}
    # The dashboards' own screens place the same way (the playlist asked their audiences).
    assert one.place(key("cpu"), "cpu", "") == ("p0",) and two.place(key("mem"), "mem", "") == ("p0",)
    assert playlist.select(feed.frame("disk"), feed.windows) is None


def test_dashboards_share_a_playlist_until_one_of_its_dashboards_changes() -> None:
    loaded = DashboardsFile(dashboards=[board({"series": ["a"]}, name="one"), board({"series": ["b"]}, name="two")])
    dashboards = Dashboards(None, loaded, max_series=100, window=WINDOW)
    first = dashboards.playlist(("one", "two"))
    assert first is not None and dashboards.playlist(("one", "two")) is first
    assert dashboards.playlist(("two", "one")) is not first
    assert dashboards.playlist(("one", "nope")) is None
    dashboards._audiences["two"] = Audience(board({"series": ["c"]}, name="two"), 100)  # as an edit of "two" does
    assert dashboards.playlist(("one", "two")) is not first
