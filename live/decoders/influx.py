"""Influx line protocol bodies (Telegraf, the InfluxDB client libraries) as point items (pure).

`<measurement>[,<tag>=<value>...] <field>=<value>[,<field>=<value>...] [<timestamp>]`, one point
per line. Each field is a series, `measurement.field` (the measurement alone for a field named
`value`); tags are its labels. Floats, integers (`1i`), unsigned (`1u`) and booleans become numbers;
a string field is refused, as Pulseboard draws numbers only. Escapes follow InfluxDB's line protocol
reference: `\\,` and `\\ ` in measurements, `\\,` `\\=` `\\ ` in tag keys, tag values and field keys,
`\\"` in string fields, and `\\\\` for one backslash anywhere; any other backslash is itself. A field
named twice on one line keeps its last value, as InfluxDB does. Errors name the line (from 1).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from live.model import InvalidInput

# Divisors from each precision's unit to seconds; 1.x's short names beside 2.x's.
PRECISIONS = {"ns": 10**9, "us": 10**6, "ms": 10**3, "s": 1, "n": 10**9, "u": 10**6}
_TRUE, _FALSE = ("t", "T", "true", "True", "TRUE"), ("f", "F", "false", "False", "FALSE")
_BOOLEANS = dict.fromkeys(_TRUE, 1.0) | dict.fromkeys(_FALSE, 0.0)
# A number as InfluxDB writes one: no NaN, Inf, underscores or spaces that Python's float() allows.
_NUMBER = re.compile(r"(-?\d+)([iu])|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?").fullmatch
_TIMESTAMP = re.compile(r"-?\d{1,19}").fullmatch
_INT64 = 2**63
# Tokens of the general path: a backslash and the character after it are one unit, escape or not.
_MEASUREMENT = re.compile(r"(?:[^\\ ,]|\\.?)+")
_KEY = re.compile(r"(?:[^\\ ,=]|\\.?)+")
_STRING = re.compile(r'"(?:[^"\\]|\\.?)*"')
_BARE = re.compile(r'[^ ,"]+')
_UNESCAPE_NAME = re.compile(r"\\([ ,\\])")
_UNESCAPE_KEY = re.compile(r"\\([ ,=\\])")
_VALUE = r"-?\d+[iu]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[tT]|true|True|TRUE|[fF]|false|False|FALSE"
_FIELD = rf'[^ ,="\\\n]+=(?:{_VALUE})'
# A line with no escapes and no strings: measurement and tags, fields, an optional timestamp.
_PLAIN_LINES = re.compile(
    rf'^[ \t]*([^ \t#,"\\\n][^ "\\\n]*) ({_FIELD}(?:,{_FIELD})*)(?: (-?\d+))?[ \t\r]*$', re.MULTILINE
)


class LineItems(NamedTuple):
    """The point items of a body, and the line (from 1) each came from."""

    items: list[dict[str, Any]]
    lines: list[int]

    def named(self, error: InvalidInput) -> InvalidInput:
        """Return a validation error about an item as one about its line."""
        if error.row is None or not 0 <= error.row < len(self.lines):
            return error
        field = f" ({error.field})" if error.field else ""
        return InvalidInput(f"line {self.lines[error.row]}{field}: {error.message}", status=error.status)


def _refuse(line: int, why: str, text: str) -> InvalidInput:
    return InvalidInput(f"line {line}: {why}: {text[:80]!r}", status=400)


def _number(raw: str, key: str, line: int, text: str) -> float:
    """Return a field value as a float, or raise naming the line and field."""
    boolean = _BOOLEANS.get(raw)
    if boolean is not None:
        return boolean
    match = _NUMBER(raw)
    if match is None:
        if raw[:1] == '"':
            raise _refuse(line, f"field {key!r} is a string; only numbers and booleans can be drawn", text)
        raise _refuse(line, f"field {key!r} has an invalid number {raw[:40]!r}", text)
    digits, kind = match.groups()
    if kind is None:
        return float(raw)
    whole = int(digits)
    if not (-_INT64 <= whole < _INT64 if kind == "i" else 0 <= whole < 2 * _INT64):
        kind_name = "integer" if kind == "i" else "unsigned integer"
        raise _refuse(line, f"field {key!r} is out of range for a 64-bit {kind_name}", text)
    return float(whole)


def _seconds(raw: str, divisor: int, line: int, text: str) -> float:
    if _TIMESTAMP(raw) is None or not -_INT64 <= (whole := int(raw)) < _INT64:
        raise _refuse(line, f"bad timestamp {raw[:40]!r} (an integer count of the precision's unit)", text)
    return whole / divisor  # int / int: rounded once


def _split_head(head: str, line: int, text: str) -> tuple[str, dict[str, str] | None]:
    """Return the measurement and tags of a line's first part (no escapes in it), or raise."""
    measurement, *pairs = head.split(",")
    if not measurement:
        raise _refuse(line, "missing measurement", text)
    if not pairs:
        return measurement, None
    tags = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not key or not equals or not value or "=" in value:
            raise _refuse(line, f"tag {pair[:40]!r} is not key=value", text)
        if key in tags:
            raise _refuse(line, f"duplicate tag {key!r}", text)
        tags[key] = value
    return measurement, tags


def _general(text: str, line: int, divisor: int) -> tuple[str, dict[str, str] | None, dict[str, float], float | None]:
    """Parse any line, escapes and quoted strings included, naming what is wrong."""
    match = _MEASUREMENT.match(text)
    if match is None:
        raise _refuse(line, "missing measurement", text)
    measurement = _UNESCAPE_NAME.sub(r"\1", match.group())
    at = match.end()
    tags: dict[str, str] | None = None
    while at < len(text) and text[at] == ",":
        key = _KEY.match(text, at + 1)
        if key is None or key.end() >= len(text) or text[key.end()] != "=":
            raise _refuse(line, "tag without key=value", text)
        value = _KEY.match(text, key.end() + 1)
        if value is None:
            raise _refuse(line, f"missing value of tag {key.group()[:40]!r}", text)
        name = _UNESCAPE_KEY.sub(r"\1", key.group())
        tags = tags or {}
        if name in tags:
            raise _refuse(line, f"duplicate tag {name!r}", text)
        tags[name] = _UNESCAPE_KEY.sub(r"\1", value.group())
        at = value.end()
    if at >= len(text) or text[at] != " ":
        raise _refuse(line, "missing fields", text)
    fields = {}
    while True:
        key = _KEY.match(text, at + 1)
        if key is None or key.end() >= len(text) or text[key.end()] != "=":
            raise _refuse(line, "field without key=value" if fields else "missing fields", text)
        name = _UNESCAPE_KEY.sub(r"\1", key.group())
        start = key.end() + 1
        if text[start : start + 1] == '"':
            if _STRING.match(text, start) is None:
                raise _refuse(line, f"field {name!r} has an unterminated string", text)
            raise _refuse(line, f"field {name!r} is a string; only numbers and booleans can be drawn", text)
        value = _BARE.match(text, start)
        if value is None:
            raise _refuse(line, f"missing value of field {name!r}", text)
        fields[name] = _number(value.group(), name, line, text)
        at = value.end()
        if at >= len(text) or text[at] != ",":
            break
    ts = None
    if at < len(text):
        if text[at] != " ":
            raise _refuse(line, "unexpected text after the fields", text)
        ts = _seconds(text[at + 1 :], divisor, line, text)
    return measurement, tags, fields, ts


class _Decoder:
    """One body's items so far, and the measurement and tags of each line head seen."""

    def __init__(self, divisor: int) -> None:
        self.divisor = divisor
        self.items: list[dict[str, Any]] = []
        self.lines: list[int] = []
        self.heads: dict[str, tuple[str, dict[str, str] | None]] = {}  # a batch repeats a few

    def plain(self, number: int, head: str, pairs: str, raw_ts: str) -> None:
        """Take a line _PLAIN_LINE matched: what is left is splitting and converting."""
        known = self.heads.get(head)
        if known is None:
            known = self.heads[head] = _split_head(head, number, f"{head} {pairs}")
        measurement, tags = known
        fields = {}
        for pair in pairs.split(","):
            key, _, raw = pair.partition("=")
            value = _BOOLEANS.get(raw)
            if value is None:
                value = _number(raw, key, number, f"{head} {pairs}") if raw[-1] in "iu" else float(raw)
            fields[key] = value
        ts = None
        if raw_ts:
            whole = int(raw_ts)
            if not -_INT64 <= whole < _INT64:
                raise _refuse(number, f"bad timestamp {raw_ts[:40]!r} (beyond a 64-bit integer)", f"{head} {pairs}")
            ts = whole / self.divisor  # int / int: rounded once
        self.add(number, measurement, tags, fields, ts)

    def add(
        self, number: int, measurement: str, tags: dict[str, str] | None, fields: dict[str, float], ts: float | None
    ) -> None:
        items, lines = self.items, self.lines
        for key, value in fields.items():
            item = {"series": measurement if key == "value" else f"{measurement}.{key}", "value": value}
            if ts is not None:
                item["ts"] = ts
            if tags is not None:
                item["labels"] = tags
            items.append(item)
            lines.append(number)


def parse_lines(body: bytes, precision: str = "ns") -> LineItems:
    """Return the point items of a line protocol body, unchecked; a line without a timestamp gets none (now)."""
    divisor = PRECISIONS.get(precision)
    if divisor is None:
        raise InvalidInput(f"precision must be ns, us, ms or s, got {precision[:20]!r}", status=400)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise InvalidInput(f"line {line}: not UTF-8 (bad byte at offset {error.start})", status=400) from None
    decoder = _Decoder(divisor)
    # One regex over the whole body in C; when it took every line, no line needs a look of its own.
    plain = _PLAIN_LINES.findall(text)
    if len(plain) == text.count("\n") + (not text.endswith("\n")):
        for number, (head, pairs, raw_ts) in enumerate(plain, 1):
            decoder.plain(number, head, pairs, raw_ts)
    else:
        for number, line in enumerate(text.split("\n"), 1):
            match = _PLAIN_LINES.fullmatch(line)
            if match is not None:
                decoder.plain(number, *match.groups())
                continue
            line = line.strip(" \t\r")
            if line and line[0] != "#":
                decoder.add(number, *_general(line, number, divisor))
    if not decoder.items:
        raise InvalidInput("body holds no lines: send at least one point", status=400)
    return LineItems(decoder.items, decoder.lines)
