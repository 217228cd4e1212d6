"""The Prometheus text format decoder: samples become point items, and every error names its line."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, generate_latest

from live.decoders.prometheus import BadLine, parse_prometheus
from live.model import InvalidInput

FUZZ_BODIES = 10_000
FUZZ = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize(
    ("body", "items"),
    [
        (b"up 1\n", [{"series": "up", "value": 1.0}]),
        (b'x_total{method="get",code="200"} 3 1700000000123\n', [
            {"series": "x_total", "value": 3.0, "labels": {"method": "get", "code": "200"}, "ts": 1700000000.123}
        ]),
        (b'x_bucket{le="+Inf"} 7', [{"series": "x_bucket", "value": 7.0, "labels": {"le": "+Inf"}}]),
        (b"# HELP x A help line\n# TYPE x gauge\n# any comment\n\nx -2.5e3\n", [{"series": "x", "value": -2500.0}]),
        (b'  x \t{ a = "1" , b="2" , }\t4  -5 \r\n', [
            {"series": "x", "value": 4.0, "labels": {"a": "1", "b": "2"}, "ts": -0.005}
        ]),
        (b'x{a="q\\"\\\\\\n"} 1', [{"series": "x", "value": 1.0, "labels": {"a": 'q"\\\n'}}]),
        (b'x{a="",b="y"} 1', [{"series": "x", "value": 1.0, "labels": {"b": "y"}}]),  # empty is no label
        (b"x{} 1", [{"series": "x", "value": 1.0}]),
        (b"ns:metric_name 1", [{"series": "ns:metric_name", "value": 1.0}]),
        (b"x NaN\ny +Inf\nz -Inf", [  # refused later, by validation, naming the line
            {"series": "x", "value": math.nan}, {"series": "y", "value": math.inf}, {"series": "z", "value": -math.inf}
        ]),
        (b"# EOF\n", []),
        (b"", []),
    ],
)  # fmt: skip
def test_samples_become_items(body: bytes, items: list[dict[str, Any]]) -> None:
    """Each sample is a point: name as series, labels, value, and its timestamp in seconds when given."""
    got = parse_prometheus(body).items
    assert repr(got) == repr(items)  # repr: NaN equals NaN there


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (b'x{a="b} 1', 1, 'expected name="value" or } at column 3'),
        (b"ok 1\nx 1_0", 2, "value '1_0' is not a number"),
        (b"x 1 2 3", 1, "a sample is name, labels, value and an optional timestamp; got 3 fields after them"),
        (b"x 1 1.5", 1, "timestamp '1.5' is not integer milliseconds"),
        (b'x{a="1",a="2"} 1', 1, "label 'a' appears twice"),
        (b'x{a="\\q"} 1', 1, 'label value has an unknown escape \\q (only \\\\, \\" and \\n)'),
        (b'x{a="1" b="2"} 1', 1, "expected , or } after label 'a' at column 9"),
        (b'x{a="1"}1', 1, "expected a blank after 'x', got '1'"),
        (b"x", 1, "a sample is name, labels, value and an optional timestamp; got 0 fields after them"),
        (b"1x 1", 1, "expected a metric name, got '1x 1'"),
        (b"\n\n# TYPE x foo", 3, "# TYPE x must give one of counter, gauge, histogram, summary, untyped"),
        (b"# TYPE x gauge\n# TYPE x gauge", 2, "# TYPE x is given twice"),
        (b"# HELP", 1, "# HELP must name a metric"),
        (b"a 1\nb \xff 1", 2, "not UTF-8: bad byte at offset 6"),
    ],
)
def test_errors_name_the_line(body: bytes, line: int, message: str) -> None:
    """A body that is not the text format is a 400 naming the line and what is wrong there."""
    with pytest.raises(BadLine) as raised:
        parse_prometheus(body)
    assert raised.value.status == 400
    assert raised.value.to_dict() == {"error": f"line {line}: {message}", "line": line}


def test_lines_follow_the_samples() -> None:
    """Each item remembers its line, so validation's row can be told as a line."""
    assert parse_prometheus(b"# TYPE a gauge\na 1\n\nb 2\n").lines == [2, 4]


def test_prometheus_client_output_reads_back() -> None:
    """generate_latest() of a counter, a gauge, a histogram and a summary: every sample, as written."""
    registry = CollectorRegistry()
    Counter("jobs", "Jobs done.", ["queue"], registry=registry).labels("mail").inc(3)
    Gauge("depth", "Queue depth.", registry=registry).set(7.5)
    Histogram("latency_seconds", "Latency.", buckets=(0.1, 1.0), registry=registry).observe(0.5)
    Summary("size_bytes", "Sizes.", registry=registry).observe(10)
    items = {(item["series"], tuple(sorted(item.get("labels", {}).items()))): item["value"]
             for item in parse_prometheus(generate_latest(registry)).items}  # fmt: skip
    assert items[("jobs_total", (("queue", "mail"),))] == 3.0
    assert items[("depth", ())] == 7.5
    assert items[("latency_seconds_bucket", (("le", "0.1"),))] == 0.0
    assert items[("latency_seconds_bucket", (("le", "1.0"),))] == 1.0
    assert items[("latency_seconds_bucket", (("le", "+Inf"),))] == 1.0
    assert items[("latency_seconds_count", ())] == 1.0 and items[("latency_seconds_sum", ())] == 0.5
    assert items[("size_bytes_count", ())] == 1.0 and items[("size_bytes_sum", ())] == 10.0


# --- fuzz -------------------------------------------------------------------------------------------------
# Cheap strategies (hypothesis' own drawing, not the parser, is most of the time here); bodies per
# example: 2 read back (LF and CRLF), 3 mutated (two mutations and raw bytes). 12,500 bodies in all.
EXAMPLES = 2_500
names = st.sampled_from(["up", "x", "http_requests_total", "ns:m", "_a1", "A:b_c", "x_bucket"])
label_names = st.sampled_from(["a", "le", "quantile", "host", "_x", "B2"])
label_values = st.one_of(
    st.sampled_from(["", "v", '"', "\\", "a b", "+Inf", "é", "💥", "\\n", "}", "{,=", "\r", "\x00"]),
    st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=6),
)
blanks = st.sampled_from(["", " ", "\t", "  "])
values = st.one_of(
    st.floats(allow_nan=False).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["NaN", "+Inf", "-Inf", "Inf", "1e999", ".5", "5.", "-0"]),
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@st.composite
def samples(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A sample line in any legal spacing, and the item it must read as."""
    name = draw(names)
    labels = draw(st.dictionaries(label_names, label_values, max_size=3))
    value = draw(values)
    stamp = draw(st.one_of(st.none(), st.integers(-(10**15), 10**15)))
    b = draw(blanks)
    text = b + name
    if labels or draw(st.booleans()):
        pairs = [f'{b}{key}{b}={b}"{_escape(val)}"{b}' for key, val in labels.items()]
        text += b + "{" + ",".join(pairs) + draw(st.sampled_from(["", ","])) * bool(pairs) + b + "}"
    text += (b or " ") + value
    if stamp is not None:
        text += draw(blanks.filter(bool)) + str(stamp)
    item: dict[str, Any] = {"series": name, "value": float(value)}
    if kept := {key: val for key, val in labels.items() if val}:
        item["labels"] = kept
    if stamp is not None:
        item["ts"] = stamp / 1000
    return text + b, item


junk = st.one_of(st.text(max_size=3), st.sampled_from(['"', "\\", "{", "}", ",", "=", "#", " ", "\n", "\udc80"]))
mutations = st.tuples(st.integers(0, 3), st.floats(0, 1), junk)


def _mutate(body: str, mutation: tuple[int, float, str]) -> str:
    """Cut, splice or repeat a piece of a body at a drawn place."""
    how, where, text = mutation
    at = int(where * len(body))
    return [body[:at] + text + body[at:], body[:at] + body[at + 1 :], body[:at], body[:at] + body[at:] * 2][how]


@settings(max_examples=EXAMPLES, **FUZZ)
@given(lines=st.lists(samples(), max_size=5))
def test_generated_bodies_read_back_exactly(lines: list[tuple[str, dict[str, Any]]]) -> None:
    """Any legal spacing of any legal sample reads back as the sample it was built from, LF or CRLF."""
    for newline in ("\n", "\r\n"):
        body = newline.join(text for text, _ in lines)
        assert repr(parse_prometheus(body.encode()).items) == repr([item for _, item in lines])


@settings(max_examples=EXAMPLES, **FUZZ)
@given(lines=st.lists(samples(), min_size=1, max_size=4), cuts=st.lists(mutations, min_size=2, max_size=2),
       raw=st.binary(max_size=60))  # fmt: skip
def test_mutated_bodies_raise_nothing_but_named_errors(
    lines: list[tuple[str, dict[str, Any]]], cuts: list[tuple[int, float, str]], raw: bytes
) -> None:
    """Bodies cut, spliced or doubled anywhere, and raw bytes: items, or an InvalidInput naming the line."""
    body = "\n".join(text for text, _ in lines)
    once = _mutate(body, cuts[0])
    for candidate in (
        once.encode("utf-8", "surrogatepass"),
        _mutate(once, cuts[1]).encode("utf-8", "surrogatepass"),
        raw,
    ):
        try:
            parse_prometheus(candidate)
        except InvalidInput as error:
            assert isinstance(error, BadLine) and error.status == 400
            assert re.match(rf"line {error.line}: \S", error.message)
            assert 1 <= error.line <= candidate.count(b"\n") + 1
