"""Validation of ingest bodies: all or nothing, and errors that name the row and field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from live.points import InvalidInput, Point, parse_json, validate_points

NOW = 1_800_000_000.0


def validate(payload: Any, max_points: int = 100) -> list[Point]:
    return validate_points(payload, now=NOW, oldest=NOW - 86400, newest=NOW + 300, max_points=max_points)


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
        ([{"series": "a\nb", "value": 1}], 0, "series", "control characters"),
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
