"""Validation of points from every entry, and the JSON decoder: all or nothing, errors that name the row and field."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from live.decoders.json import json_items, parse_json
from live.model import InvalidInput, Point
from live.validation import validate_points

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
NANOS = 1_800_000_000_123_456_789 / 10**9  # 2027-01-15T08:00:00.123456789Z, rounded once


def check(items: Sequence[Any], max_points: int = 100) -> list[Point]:
    """Validate points as Python code hands them over."""
    return validate_points(items, now=NOW, oldest=NOW - 86400, newest=NOW + 300, max_points=max_points)


def validate(payload: Any, max_points: int = 100) -> list[Point]:
    """Validate a decoded JSON body as POST /api/points does."""
    return check(json_items(payload), max_points)


def refusal(items: Sequence[Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check(items)
    return caught.value


def test_a_single_point_gets_now_as_its_time() -> None:
    """A bare point object is a batch of one; a missing ts is now."""
    assert validate({"series": "cpu", "value": 3}) == [Point("cpu", NOW, 3.0)]


@pytest.mark.parametrize("wrap", [lambda rows: rows, lambda rows: {"points": rows}])
def test_batches_keep_their_order(wrap: Any) -> None:
    """A list and {"points": [...]} are the same batch."""
    rows = [{"series": "a", "value": 1, "ts": NOW - 1}, {"series": "b", "value": 2.5, "labels": {"host": "x"}}]
    assert validate(wrap(rows)) == [Point("a", NOW - 1, 1.0), Point("b", NOW, 2.5, '{"host":"x"}')]


def test_iso_timestamps_with_a_zone_are_accepted() -> None:
    """ISO 8601 with a zone is read as that instant."""
    (point,) = validate({"series": "a", "value": 1, "ts": "2027-01-15T08:00:00Z"})
    assert point.ts == 1_800_000_000.0


@pytest.mark.parametrize(
    ("payload", "row", "field", "words"),
    [
        ({"series": "a"}, 0, "value", "value is required"),
        ({"value": 1}, 0, "series", "series is required"),
        ([{"series": "a", "value": 1}, {"series": "a", "value": "1"}], 1, "value", "must be a number"),
        ([{"series": "a", "value": True}], 0, "value", "must be a number"),
        ([{"series": "a", "value": 1e400}], 0, "value", "finite"),
        ([{"series": "a", "value": 10**400}], 0, "value", "finite"),
        ([{"series": "", "value": 1}], 0, "series", "1 to 200 characters"),
        ([{"series": "x" * 201, "value": 1}], 0, "series", "1 to 200 characters"),
        ([{"series": "a\nb", "value": 1}], 0, "series", "control characters: U+000A"),
        ([{"series": 5, "value": 1}], 0, "series", "must be a string"),
        ([{"series": "a", "value": 1}, {"series": ["a"], "value": 1}], 1, "series", "must be a string"),
        ([{"series": "a", "value": 1}, {"series": "a\x00", "value": 1}], 1, "series", "control characters"),
        ([{"series": "a", "value": 1, "ts": float("nan")}], 0, "ts", "outside the accepted range"),
        ([{"series": "a", "value": 1, "ts": NOW + 3600}], 0, "ts", "outside the accepted range"),
        ([{"series": "a", "value": 1, "ts": 0}], 0, "ts", "outside the accepted range"),
        ([{"series": "a", "value": 1, "ts": "yesterday"}], 0, "ts", "ISO 8601"),
        ([{"series": "a", "value": 1, "ts": "2027-01-15T08:00:00"}], 0, "ts", "time zone"),
        ([{"series": "a", "value": 1, "labels": ["x"]}], 0, "labels", "object"),
        ([{"series": "a", "value": 1, "labels": {"k": 1}}], 0, "labels", "must be a string"),
        ([{"series": "a", "value": 1, "colour": "red"}], 0, "colour", "unknown field"),
        ([5], 0, None, "must be an object"),
        ([], None, "points", "empty"),
        ({"points": 5}, None, "points", "must be a list"),
        ({"points": [], "extra": 1}, None, "extra", "unknown field"),
        ("text", None, None, "body must be"),
    ],
)
def test_bad_input_names_row_and_field(payload: Any, row: int | None, field: str | None, words: str) -> None:
    """The first bad value is named by row and field, in words a person can act on."""
    with pytest.raises(InvalidInput) as caught:
        validate(payload)
    assert (caught.value.row, caught.value.field, caught.value.status) == (row, field, 422)
    assert words in caught.value.message


def test_batch_size_limit() -> None:
    """More points than the limit is refused as a whole."""
    with pytest.raises(InvalidInput, match="at most 3"):
        validate([{"series": "a", "value": 1}] * 4, max_points=3)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (np.int64(7), 7.0),  # what df["x"].iloc[-1] returns
        (np.float64(2.5), 2.5),
        (np.float32(0.5), 0.5),
        (Decimal("1.1"), 1.1),
        (Fraction(1, 3), 1 / 3),
        (2**63, 9.223372036854776e18),
    ],
)
def test_python_numbers_are_stored_as_plain_floats(value: Any, stored: float) -> None:
    """Any real number from Python code is stored as the float it stands for, not as its own type."""
    (point,) = check([{"series": "a", "value": value}])
    assert point.value == stored and type(point.value) is float


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.bool_(True), "value must be a number, got bool"),
        (False, "value must be a number, got bool"),
        ("1.5", "value must be a number, got str"),
        (None, "value must be a number, got NoneType"),
        (1j, "value must be a number, got complex"),
        ([1.0], "value must be a number, got list"),
        (np.timedelta64(3, "s"), "value must be a number, got timedelta64"),
        (math.inf, "value must be a finite number that fits in a double"),
        (-math.inf, "value must be a finite number that fits in a double"),
        (math.nan, "value must be a finite number that fits in a double"),
        (np.float64("nan"), "value must be a finite number that fits in a double"),
        (Decimal("1e400"), "value must be a finite number that fits in a double"),
        (Decimal("NaN"), "value must be a finite number that fits in a double"),
        (Decimal("sNaN"), "value must be a finite number that fits in a double"),
        (Fraction(10**400), "value must be a finite number that fits in a double"),
    ],
)
def test_values_that_are_no_finite_number_are_refused(value: Any, message: str) -> None:
    """Truth values, text, containers, durations and numbers beyond a double are refused, named."""
    error = refusal([{"series": "a", "value": 1.0}, {"series": "a", "value": value}])
    assert (error.row, error.field, error.message) == (1, "value", message)


@pytest.mark.parametrize(
    ("ts", "seconds"),
    [
        (datetime(2027, 1, 15, 8, tzinfo=UTC), NOW),
        (datetime(2027, 1, 15, 9, 30, tzinfo=timezone(timedelta(hours=1, minutes=30))), NOW),
        (pd.Timestamp("2027-01-15T08:00:00.5Z"), NOW + 0.5),
        (pd.Timestamp("2027-01-15T03:00:00", tz="America/New_York"), NOW),
        # pandas' own Timestamp.timestamp() rounds to the microsecond first: 1800000000.123457.
        (pd.Timestamp("2027-01-15T08:00:00.123456789Z"), NANOS),
        (np.datetime64("2027-01-15T08:00:00.123456789", "ns"), NANOS),
        (np.datetime64("2027-01-15T08:00", "m"), NOW),
        (np.datetime64("2027-01-15", "D"), NOW - 8 * 3600),
        (np.int64(1_800_000_000), NOW),
        (Decimal("1800000000.25"), NOW + 0.25),
        (1_800_000_000, NOW),
    ],
)
def test_times_from_python_are_read_as_their_instant(ts: Any, seconds: float) -> None:
    """Aware datetimes, pandas and numpy times and any real epoch seconds give the instant, exactly."""
    (point,) = check([{"series": "a", "value": 1.0, "ts": ts}])
    assert point.ts == seconds and type(point.ts) is float


@pytest.mark.parametrize(
    ("ts", "words"),
    [
        (datetime(2027, 1, 15, 8), "ts must give a time zone"),
        (pd.Timestamp("2027-01-15T08:00:00"), "ts must give a time zone"),
        (date(2027, 1, 15), "an aware datetime, got date"),
        (True, "an aware datetime, got bool"),
        (pd.NaT, "outside the accepted range"),
        (np.datetime64("NaT"), "outside the accepted range"),
        (np.datetime64("2027-01", "M"), "outside the accepted range"),  # the first of the month: 14 days old
        (datetime(2027, 1, 17, tzinfo=UTC), "outside the accepted range"),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))), "outside the accepted range"),
        (math.inf, "outside the accepted range"),
        (Decimal("1e400"), "outside the accepted range"),
    ],
)
def test_times_without_a_zone_or_out_of_range_are_refused(ts: Any, words: str) -> None:
    """A naive time is refused as naive ISO text is; a time outside the window is refused."""
    error = refusal([{"series": "a", "value": 1.0, "ts": ts}])
    assert (error.row, error.field) == (0, "ts")
    assert words in error.message


def test_label_sets_are_one_canonical_text() -> None:
    """Key order does not matter: a label set is one text, sorted and compact, with its own characters."""
    points = check(
        [
            {"series": "a", "value": 1.0, "labels": {"host": "b", "dc": "Zürich"}},
            {"series": "a", "value": 1.0, "labels": {"dc": "Zürich", "host": "b"}},
            {"series": "a", "value": 1.0, "labels": MappingProxyType({"host": "b", "dc": "Zürich"})},
        ]
    )
    assert {point.labels for point in points} == {'{"dc":"Zürich","host":"b"}'}


@pytest.mark.parametrize("labels", [{}, None, "absent"])
def test_no_labels_is_empty_text(labels: Any) -> None:
    """No labels, None or an empty set are all the same series: labels ""."""
    item = {"series": "a", "value": 1.0} if labels == "absent" else {"series": "a", "value": 1.0, "labels": labels}
    assert check([item]) == [Point("a", NOW, 1.0, "")]
    assert type(check([item])[0].labels) is str


@pytest.mark.parametrize(
    ("second", "words"),
    [({"k": "v\n"}, "control characters"), ({"k": ["v"]}, "must be a string"), ({"k": "v", "": "x"}, "1 to 100")],
)
def test_a_label_set_seen_before_does_not_hide_a_bad_one(second: dict[str, Any], words: str) -> None:
    """Label sets are checked once per batch, so a later set that differs is still checked."""
    error = refusal(
        [{"series": "a", "value": 1.0, "labels": {"k": "v"}}, {"series": "a", "value": 1.0, "labels": second}]
    )
    assert (error.row, error.field) == (1, "labels")
    assert words in error.message


def test_numpy_text_is_stored_as_plain_str() -> None:
    """numpy.str_ names and labels are accepted and stored as str."""
    (point,) = check([{"series": np.str_("cpu"), "value": 1.0, "labels": {np.str_("k"): np.str_("v")}}])
    assert point == Point("cpu", NOW, 1.0, '{"k":"v"}')
    assert type(point.series) is str


def test_points_from_python_code_are_checked_as_any_other() -> None:
    """A live.model.Point is an item too: its fields are checked and its labels made canonical again."""
    points = check([Point("a", NOW, np.float64(1.5), '{"b":"2","a":"1"}'), Point("a", NOW - 1, 2.0)])
    assert points == [Point("a", NOW, 1.5, '{"a":"1","b":"2"}'), Point("a", NOW - 1, 2.0, "")]
    assert type(points[0].value) is float


@pytest.mark.parametrize(
    ("point", "field", "words"),
    [
        (Point("a", NOW, math.inf), "value", "finite"),
        (Point("a\n", NOW, 1.0), "series", "control characters"),
        (Point("a", NOW + 3600, 1.0), "ts", "outside the accepted range"),
        (Point("a", NOW, 1.0, "host=a"), "labels", "canonical JSON text"),
        (Point("a", NOW, 1.0, '["a"]'), "labels", "object of strings"),
    ],
)
def test_bad_points_from_python_code_are_refused(point: Point, field: str, words: str) -> None:
    """A Point is no shortcut past validation."""
    error = refusal([Point("a", NOW, 1.0), point])
    assert (error.row, error.field) == (1, field)
    assert words in error.message


def test_json_and_python_give_the_same_point() -> None:
    """One validation: the same point from a JSON body and from Python objects is the same Point."""
    body = b'{"series": "cpu", "value": 0.25, "ts": "2027-01-15T09:00:00+01:00", "labels": {"b": "2", "a": "1"}}'
    python = {
        "series": "cpu",
        "value": np.float64(0.25),
        "ts": pd.Timestamp(NOW, unit="s", tz="UTC"),
        "labels": {"a": "1", "b": "2"},
    }
    assert validate(parse_json(body)) == check([python]) == [Point("cpu", NOW, 0.25, '{"a":"1","b":"2"}')]


@pytest.mark.parametrize(
    ("items", "row", "field", "words"),
    [
        ({"series": "a", "value": 1.0}, None, "points", "must be a list of points, got dict"),
        ("cpu", None, "points", "must be a list of points, got str"),
        ([{"series": "a", "value": 1.0, 3: 4}], 0, "3", "unknown field '3'"),
        ([("a", 1.0)], 0, None, "must be an object, got tuple"),
    ],
)
def test_python_shapes_that_are_no_points_are_refused(
    items: Any, row: int | None, field: str | None, words: str
) -> None:
    """Python callers get the same named refusals, whatever they pass by mistake."""
    error = refusal(items)
    assert (error.row, error.field) == (row, field)
    assert words in error.message


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{", "not valid JSON"),
        (b'{"series": "a", "value": NaN}', "NaN"),
        (b'{"series": "a", "value": Infinity}', "Infinity"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_unparseable_bodies_are_400(body: bytes, words: str) -> None:
    """Bodies that are not strict UTF-8 JSON are a 400 that says so."""
    with pytest.raises(InvalidInput) as caught:
        parse_json(body)
    assert caught.value.status == 400
    assert words in caught.value.message


def test_error_body_is_json_serialisable() -> None:
    """The error body carries the message, row and field."""
    error = InvalidInput("value must be a number", row=3, field="value")
    assert json.loads(json.dumps(error.to_dict())) == {"error": "value must be a number", "row": 3, "field": "value"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("cpu\u200b", "must not contain invisible format characters: U+200B ZERO WIDTH SPACE at index 3"),
        ("\u202ecpu", "must not contain invisible format characters: U+202E RIGHT-TO-LEFT OVERRIDE at index 0"),
        ("\ufeffcpu", "must not contain invisible format characters: U+FEFF ZERO WIDTH NO-BREAK SPACE at index 0"),
        ("c\u00adpu", "must not contain invisible format characters: U+00AD SOFT HYPHEN at index 1"),
        ("cpu\u2028load", "must not contain line separators: U+2028 LINE SEPARATOR at index 3"),
        ("cpu\u2029", "must not contain paragraph separators: U+2029 PARAGRAPH SEPARATOR at index 3"),
        ("cpu\u00a0load", "must not contain spaces other than U+0020: U+00A0 NO-BREAK SPACE at index 3"),
        ("cpu\u3000", "must not contain spaces other than U+0020: U+3000 IDEOGRAPHIC SPACE at index 3"),
        ("cpu\u2009load", "must not contain spaces other than U+0020: U+2009 THIN SPACE at index 3"),
        ("cpu\x85", "must not contain control characters: U+0085 at index 3"),
        ("a\nb", "must not contain control characters: U+000A at index 1"),
        ("cpu ", "must not begin or end with a space (U+0020)"),
        (" cpu", "must not begin or end with a space (U+0020)"),
    ],
)
def test_names_that_would_look_like_another_are_refused(text: str, words: str) -> None:
    """Invisible, separator and edge-space characters are refused in names, label names and values, named (issue 13)."""
    for item, field, what in [
        ({"series": text, "value": 1.0}, "series", "series"),
        ({"series": "a", "value": 1.0, "labels": {text: "v"}}, "labels", "a label name"),
        ({"series": "a", "value": 1.0, "labels": {"k": text}}, "labels", "label 'k'"),
    ]:
        error = refusal([{"series": "a", "value": 1.0}, item])
        assert (error.row, error.field, error.message) == (1, field, f"{what} {words}")


@pytest.mark.parametrize(
    "text",
    [
        "room power",  # a space inside is a name's own (Influx writes "room\\ power")
        "température",
        "温度 ℃",
        "👨‍👩‍👧"[0] + "🌡️",  # a variation selector is a mark, not a format character
        "\ue000 icon",  # private use: a font's icon
        "\U0001fae8 new emoji",  # unknown to this Python's Unicode tables: not refused for it
    ],
)
def test_names_in_any_script_are_accepted(text: str) -> None:
    """Spaces inside, accents, other scripts, emoji and private use characters are names like any other."""
    (point,) = check([{"series": text, "value": 1.0, "labels": {text: text}}])
    assert point.series == text


def test_a_name_and_its_composed_form_are_one_series() -> None:
    """Names and labels are stored in NFC: "é" typed as e + U+0301 is the series "é" (issue 13)."""
    decomposed, composed = "caf\u0065\u0301", "caf\u00e9"
    points = check(
        [
            {"series": decomposed, "value": 1.0, "labels": {decomposed: decomposed}},
            {"series": composed, "value": 2.0, "labels": {composed: composed}},
            Point(decomposed, NOW, 3.0, f'{{"{decomposed}":"{decomposed}"}}'),
        ]
    )
    assert {(point.series, point.labels) for point in points} == {(composed, f'{{"{composed}":"{composed}"}}')}


def test_a_label_named_twice_in_two_spellings_is_refused() -> None:
    """Two label names that are one in NFC would leave one value unsaid: refused, named."""
    error = refusal([{"series": "a", "value": 1.0, "labels": {"caf\u00e9": "1", "cafe\u0301": "2"}}])
    assert (error.row, error.field) == (0, "labels")
    assert error.message == "label 'café' appears twice (once spelt decomposed)"


def test_a_name_is_measured_after_composing() -> None:
    """The 200-character limit counts the stored (NFC) characters."""
    (point,) = check([{"series": "e\u0301" * 200, "value": 1.0}])
    assert point.series == "\u00e9" * 200


def test_a_label_set_may_take_up_to_the_byte_limit_as_canonical_json() -> None:
    """The limit counts the canonical JSON's UTF-8 bytes, as the label set is stored (issue 13)."""
    fits = {"a": "v" * 500, "b": "v" * 400, "c": "v" * (1024 - 900 - len('{"a":"","b":"","c":""}'))}
    assert len(check([{"series": "a", "value": 1.0, "labels": fits}])[0].labels.encode()) == 1024
    over_ascii = {**fits, "c": fits["c"] + "v"}
    over_utf8 = {**fits, "c": fits["c"][:-2] + "é\""}  # é is 2 bytes, a quote 2 characters of JSON
    for over in (over_ascii, over_utf8):  # 1,025 and 1,026 bytes
        error = refusal([{"series": "a", "value": 1.0}, {"series": "a", "value": 1.0, "labels": over}])
        assert (error.row, error.field, error.status) == (1, "labels", 422)
        assert error.message.endswith("bytes as canonical JSON; at most 1024 per point")


def test_the_label_byte_limit_is_the_callers() -> None:
    """validate_points takes the limit the setting gives (PULSEBOARD_MAX_LABEL_BYTES)."""
    labels = {"host": "a" * 100}
    with pytest.raises(InvalidInput, match="labels take 111 bytes as canonical JSON; at most 110 per point"):
        validate_points(
            [{"series": "a", "value": 1.0, "labels": labels}],
            now=NOW, oldest=NOW - 1, newest=NOW + 1, max_points=1, max_label_bytes=110,
        )  # fmt: skip
