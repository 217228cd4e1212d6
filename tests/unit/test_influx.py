"""Influx line protocol decoding: escapes, field types, precisions, errors that name the line."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from live.decoders.influx import parse_lines
from live.model import InvalidInput
from live.validation import validate_points

NOW = 1_780_000_000.0
NS = 1_780_000_000_123_456_789


def items(body: str, precision: str = "ns") -> list[dict[str, Any]]:
    return parse_lines(body.encode(), precision).items


def point(series: str, value: float, ts: float | None = None, **labels: str) -> dict[str, Any]:
    item: dict[str, Any] = {"series": series, "value": value}
    if ts is not None:
        item["ts"] = ts
    if labels:
        item["labels"] = labels
    return item


def validate(decoded: list[dict[str, Any]], now: float = NOW) -> list[Any]:
    return validate_points(decoded, now=now, oldest=now - 86_400, newest=now + 300, max_points=1_000_000)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Field names: measurement.field, the measurement alone for `value`.
        ("cpu value=1", [point("cpu", 1.0)]),
        ("cpu idle=98.5,user=1.5", [point("cpu.idle", 98.5), point("cpu.user", 1.5)]),
        ("cpu,host=a,region=eu idle=1", [point("cpu.idle", 1.0, host="a", region="eu")]),
        # Field types.
        ("m f=-1.5e3", [point("m.f", -1500.0)]),
        ("m f=.5", [point("m.f", 0.5)]),
        ("m f=1.", [point("m.f", 1.0)]),
        ("m i=-42i", [point("m.i", -42.0)]),
        ("m i=9223372036854775807i", [point("m.i", 9.223372036854775807e18)]),
        ("m u=18446744073709551615u", [point("m.u", 1.8446744073709551615e19)]),
        *[(f"m b={word}", [point("m.b", 1.0)]) for word in ("t", "T", "true", "True", "TRUE")],
        *[(f"m b={word}", [point("m.b", 0.0)]) for word in ("f", "F", "false", "False", "FALSE")],
        # Duplicate fields: the last wins, as InfluxDB keeps the last.
        ("m a=1,a=2", [point("m.a", 2.0)]),
        # Escapes, as the line protocol reference lists them.
        (r"my\ cpu,my\ tag=a\ b value=1", [point("my cpu", 1.0, **{"my tag": "a b"})]),
        (r"my\,cpu,t\,k=v\,w value=1", [point("my,cpu", 1.0, **{"t,k": "v,w"})]),
        (r"m=x,t\=k=v\=w value=1", [point("m=x", 1.0, **{"t=k": "v=w"})]),
        (r"m f\ 1=1,f\,2=2,f\=3=3", [point("m.f 1", 1.0), point("m.f,2", 2.0), point("m.f=3", 3.0)]),
        (r"m\\x,t=C:\\dir value=1", [point("m\\x", 1.0, t="C:\\dir")]),  # two backslashes: one
        (r"m\x,t=a\b value=1", [point("m\\x", 1.0, t="a\\b")]),  # a backslash before anything else: itself
        (r"m\=x value=1", [point("m\\=x", 1.0)]),  # = needs no escape in a measurement
        ("  m value=1\r", [point("m", 1.0)]),  # leading blanks and a CRLF ending
    ],
)
def test_a_line_becomes_one_item_per_field(line: str, expected: list[dict[str, Any]]) -> None:
    """Each field is a point named after measurement and field, with the tags as labels."""
    assert items(line) == expected


@pytest.mark.parametrize(
    ("precision", "stamp", "seconds"),
    [
        ("ns", "1780000000123456789", NS / 10**9),
        ("us", "1780000000123456", 1_780_000_000.123456),
        ("ms", "1780000000123", 1_780_000_000.123),
        ("s", "1780000000", 1_780_000_000.0),
        ("n", "1780000000123456789", NS / 10**9),
        ("u", "1780000000123456", 1_780_000_000.123456),
        ("ns", "-5", -5e-9),
    ],
)
def test_precision_turns_the_timestamp_into_epoch_seconds(precision: str, stamp: str, seconds: float) -> None:
    """ns, us, ms and s (and 1.x's n and u) count from the epoch in their unit."""
    assert items(f"m value=1 {stamp}", precision)[0]["ts"] == seconds


def test_a_line_without_a_timestamp_gets_now() -> None:
    """No timestamp: the item has no ts, and validation gives it the batch's now."""
    decoded = items("m value=1")
    assert "ts" not in decoded[0]
    assert validate(decoded)[0].ts == NOW


def test_seconds_sent_as_nanoseconds_land_in_1970_and_are_refused_for_retention() -> None:
    """A seconds timestamp under the default ns precision is 1.78 s after the epoch: outside retention."""
    decoded = parse_lines(b"m value=1\nm value=2 1780000000", "ns")
    assert decoded.items[1]["ts"] == pytest.approx(1.78)
    with pytest.raises(InvalidInput) as error:
        validate(decoded.items)
    named = decoded.named(error.value)
    assert named.status == 422
    assert named.message.startswith("line 2 (ts): ")
    assert "retention" in named.message


@pytest.mark.parametrize("word", ["nan", "NaN", "inf", "-Inf", "Infinity", "1e400"])
def test_nan_and_infinity_are_refused(word: str) -> None:
    """NaN and Inf are no numbers line protocol writes; a float beyond a double is refused by validation."""
    try:
        decoded = items(f"m value={word}")
    except InvalidInput as error:
        assert error.status == 400 and error.message.startswith("line 1: ")
        return
    assert math.isinf(decoded[0]["value"])  # 1e400: a valid token, refused as a point
    with pytest.raises(InvalidInput, match="finite"):
        validate(decoded)


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        ('m value=1\nm s="text"', 2, "field 's' is a string"),
        ('m\nm,t=a s="a \\" b",v=1', 1, "missing fields"),
        ('m value=1\nm,t=a s="a \\" b",v=1', 2, "field 's' is a string"),
        ('m s="unterminated', 1, "unterminated string"),
        ("m value=1\n\n# a comment\nm,t value=1", 4, "is not key=value"),
        ("m,t= value=1", 1, "is not key=value"),
        ("m,t=a,t=b value=1", 1, "duplicate tag 't'"),
        ("m value=1 12.5", 1, "bad timestamp"),
        ("m value=1 99999999999999999999", 1, "bad timestamp"),
        ("m value=1 2 3", 1, "bad timestamp"),
        ("m value=", 1, "missing value of field 'value'"),
        ("m value=1x", 1, "invalid number '1x'"),
        ("m value=1_000", 1, "invalid number"),
        ("m value=+-1", 1, "invalid number"),
        ("m value=1.5i", 1, "invalid number"),
        ("m value=9223372036854775808i", 1, "out of range for a 64-bit integer"),
        ("m value=-1u", 1, "out of range for a 64-bit unsigned integer"),
        (",t=a value=1", 1, "missing measurement"),
        ("m  value=1", 1, "missing fields"),
        ("m value=1,", 1, "field without key=value"),
        (b"m value=1\n\xff", 2, "not UTF-8"),
    ],
)
def test_errors_name_the_line_and_what_is_wrong(body: str | bytes, line: int, says: str) -> None:
    """Unreadable lines are a 400 naming the line (from 1) and the fault."""
    with pytest.raises(InvalidInput) as error:
        parse_lines(body if isinstance(body, bytes) else body.encode())
    assert error.value.status == 400
    assert says in error.value.message
    assert error.value.message.startswith(f"line {line}: ")


@pytest.mark.parametrize("body", [b"", b"\n\n", b"# only a comment\n"])
def test_a_body_without_lines_is_refused(body: bytes) -> None:
    """Nothing to store is a 400, as InfluxDB refuses an empty write."""
    with pytest.raises(InvalidInput, match="no lines"):
        parse_lines(body)


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(InvalidInput, match="precision"):
        parse_lines(b"m value=1", "h")


def test_comments_and_blank_lines_are_skipped_and_lines_keep_their_numbers() -> None:
    """Items remember their line, so a point refused later is named by it."""
    decoded = parse_lines(b"# header\n\nm a=1,b=2\n  # indented comment\nm value=3\n")
    assert decoded.lines == [3, 3, 5]


def test_a_hundred_thousand_lines_in_one_body() -> None:
    """Large bodies parse whole, every line its point, in seconds at most."""
    now = int(time.time()) * 10**9
    body = "".join(f"disk,host=h{i % 7} used={i}i {now + i}\n" for i in range(100_000)).encode()
    started = time.perf_counter()
    decoded = parse_lines(body)
    assert time.perf_counter() - started < 10
    assert len(decoded.items) == 100_000
    assert decoded.items[-1] == point("disk.used", 99_999.0, (now + 99_999) / 10**9, host="h4")
    assert decoded.lines[-1] == 100_000


# Bodies built from line protocol's own pieces, so most are nearly valid: the interesting ones.
_PIECES = st.sampled_from(
    ["m", "cpu", ",", "=", " ", "\\", '"', "\n", "\r", "#", "t", "true", "F", "1", "-", ".", "e", "i", "u", "x",
     "1780000000000000000", "value", "é", "\x00", "NaN", "\t", "9223372036854775808"]
)  # fmt: skip


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_fuzz_the_parser_only_ever_refuses_by_line(body: str) -> None:
    """Any body: items that validation can judge, or an InvalidInput naming a line (10,000 bodies)."""
    try:
        decoded = parse_lines(body.encode())
    except InvalidInput as error:
        assert error.status == 400
        assert error.message.startswith("line ") or "no lines" in error.message
        return
    assert len(decoded.items) == len(decoded.lines)
    try:
        validate(decoded.items)
    except InvalidInput as error:
        assert decoded.named(error).message.startswith("line ")
