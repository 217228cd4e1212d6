"""A history request's times, points and series: read as meant, or refused naming the parameter."""

from __future__ import annotations

import pytest

from live.model import InvalidInput
from live.timerange import MAX_SERIES, parse_time, points_wanted, series_keys, time_range

NOW = 1_764_772_800.0  # 2025-12-03T14:40:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("now-6h", NOW - 6 * 3600),
        ("now-15m", NOW - 900),
        ("now - 7d", NOW - 7 * 86400),
        ("now-1w", NOW - 7 * 86400),
        ("now+30s", NOW + 30),
        ("now-1.5h", NOW - 5400),
        ("1764772800", 1764772800.0),
        ("1764772800.25", 1764772800.25),
        ("2025-12-03T14:40:00Z", NOW),
        ("2025-12-03T14:40:00", NOW),  # no offset: UTC
        ("2025-12-03T15:40:00+01:00", NOW),
        ("2025-12-03 14:40:00.500", NOW + 0.5),
    ],
)
def test_times_are_read_as_meant(text: str, expected: float) -> None:
    assert parse_time(text, NOW, "from") == pytest.approx(expected)


@pytest.mark.parametrize("text", ["yesterday", "now-6x", "now-", "2025-13-03", "1e400", "", "nan", "now-6h-1h"])
def test_a_malformed_time_is_refused_naming_its_parameter(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_time(text, NOW, "to")
    assert (refused.value.field, refused.value.status) == ("to", 400)
    assert "to must be" in refused.value.message or "to is not" in refused.value.message


def test_a_range_defaults_to_the_last_hour() -> None:
    span = time_range(None, None, now=NOW, retention=86400)
    assert (span.start, span.end) == (NOW - 3600, NOW)


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        ("now", "now-1h", "from", "before to"),
        ("now-1h", "now-1h", "from", "before to"),
        ("now-25h", "now", "from", "retention"),
        ("now-1h", "soon", "to", "to must be"),
    ],
)
def test_a_bad_range_names_the_parameter(start: str, end: str, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        time_range(start, end, now=NOW, retention=86400)
    assert refused.value.field == field and words in refused.value.message


def test_the_whole_retention_may_be_asked_for() -> None:
    assert time_range("now-24h", "now", now=NOW, retention=86400).start == NOW - 86400


@pytest.mark.parametrize("text", ["0", "9", "20001", "many", "-5", "2.5"])
def test_points_out_of_bounds_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        points_wanted(text)
    assert refused.value.field == "points"


STORED = {"cpu": ("cpu", ""), 'cpu{"host":"a"}': ("cpu", '{"host":"a"}'), "mem": ("mem", "")}


def test_a_name_reaches_every_label_set_and_a_key_one_series() -> None:
    assert series_keys(["cpu"], STORED) == ["cpu", 'cpu{"host":"a"}']
    assert series_keys(['cpu{"host":"a"}', "mem", "mem"], STORED) == ['cpu{"host":"a"}', "mem"]


def test_unknown_none_and_too_many_series_are_refused() -> None:
    with pytest.raises(InvalidInput) as unknown:
        series_keys(["disk"], STORED)
    assert (unknown.value.field, unknown.value.status) == ("series", 404)
    with pytest.raises(InvalidInput) as none:
        series_keys([], STORED)
    assert (none.value.field, none.value.status) == ("series", 400)
    with pytest.raises(InvalidInput) as many:
        series_keys([f"s{i}" for i in range(10_000)], STORED)
    assert (many.value.field, many.value.status) == ("series", 400)
    assert str(MAX_SERIES) in many.value.message
