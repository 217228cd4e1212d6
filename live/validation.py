"""One validation for every way points arrive: raw point mappings in, valid Points out (pure).

Decoders (live/decoders) turn request bodies into mappings of series, value, ts and labels;
Python code hands over mappings or Points holding whatever its numbers and times are (numpy
scalars, Decimal, datetime, pandas.Timestamp). Each is taken as the plain value it stands for,
or the whole batch is refused with an InvalidInput naming the first bad row and field.

Names, label names and label values are text that reads as what it is: NFC (one series however
its accents were encoded), no control, invisible format or separator characters, no space but
U+0020 and none at either end, so two series never look alike on screen.
"""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from numbers import Real
from typing import Any

from live.model import InvalidInput, Point, canonical_labels

MAX_SERIES_CHARS = 200
MAX_LABELS = 32
MAX_LABEL_KEY_CHARS = 100
MAX_LABEL_VALUE_CHARS = 500
# A label set's canonical JSON, in UTF-8 bytes, per point: the limits above allow ~19 KB (issue 13).
MAX_LABEL_BYTES = 1024
FIELDS = frozenset({"series", "value", "ts", "labels"})
# Kinds of characters refused in names and labels, by Unicode category: invisible or spacing
# characters make names that look alike but are different series (issue 13, finding 9).
_REFUSED = {
    "Cc": "control characters",
    "Cs": "lone surrogates",
    "Cf": "invisible format characters",
    "Zl": "line separators",
    "Zp": "paragraph separators",
    "Zs": "spaces other than U+0020",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_REALS = (Real, Decimal)  # Decimal is no numbers.Real (it will not mix with float), but a real number
# Seconds per numpy.datetime64 unit, as numerator and denominator so the conversion rounds once.
_UNIT_SECONDS = {
    "W": (604_800, 1), "D": (86_400, 1), "h": (3_600, 1), "m": (60, 1), "s": (1, 1),
    "ms": (1, 10**3), "us": (1, 10**6), "ns": (1, 10**9), "ps": (1, 10**12), "fs": (1, 10**15), "as": (1, 10**18),
}  # fmt: skip


def _number(value: Any) -> float | None:
    """Return a real number as a float (inf beyond a double), or None if it is not one."""
    if type(value) is not int:  # int first: after float, the common case, and a Real for sure
        # bool is an int to Python but never a measurement; numpy.bool_ is no Real at all.
        if isinstance(value, bool) or not isinstance(value, _REALS):
            return None
        numpy = sys.modules.get("numpy")  # no numpy value can exist unless numpy was imported
        if numpy is not None and isinstance(value, numpy.timedelta64):  # a duration, though numpy calls it an int
            return None
    try:
        return float(value)
    except OverflowError:  # an int or Fraction beyond a double
        return math.inf
    except ValueError:  # Decimal("sNaN")
        return math.nan


def _value(value: Any, row: int) -> float:
    number = _number(value)
    if number is None:
        raise InvalidInput(f"value must be a number, got {type(value).__name__}", row=row, field="value")
    if not math.isfinite(number):
        raise InvalidInput("value must be a finite number that fits in a double", row=row, field="value")
    return number


def _refused_character(value: str) -> str | None:
    """Return why the text may not be a name or label, naming its first refused character, or None."""
    # str.isprintable() is False for exactly the categories refused, in C, and for two allowed:
    # private use, and code points this Python's Unicode does not know yet (newer emoji). So
    # the loop in Python runs only for text holding one of those, which is rare.
    if not value.isprintable():
        for index, char in enumerate(value):
            why = _REFUSED.get(unicodedata.category(char))
            if why is not None and char != " ":
                return f"must not contain {why}: {_describe(char)} at index {index}"
    if value[0] == " " or value[-1] == " ":  # the only space left: isprintable() refused the others
        return "must not begin or end with a space (U+0020)"
    return None


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def _clean_text(value: Any, what: str, limit: int, row: int, field: str) -> str:
    """Return the text as one plain str in Unicode's composed form (NFC), or raise InvalidInput naming why not."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}", row=row, field=field)
    if type(value) is not str:
        value = str.__str__(value)  # numpy.str_ and kin as plain str
    # Text that differs only in how accents are encoded is the same name: one series, not two.
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if not value or len(value) > limit:
        raise InvalidInput(f"{what} must be 1 to {limit} characters, got {len(value)}", row=row, field=field)
    why = _refused_character(value)
    if why is not None:
        raise InvalidInput(f"{what} {why}", row=row, field=field)
    return value


def _datetime_seconds(value: datetime, row: int) -> float:
    if value != value:  # pandas.NaT: not a time
        return math.nan
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("ts must give a time zone, e.g. 2026-01-01T00:00:00Z", row=row, field="ts")
    try:
        # datetime's own subtraction, exact: pandas.Timestamp.timestamp() rounds to the microsecond,
        # and a double at today's epoch seconds holds a quarter of one.
        micros = datetime.__sub__(value, _EPOCH) // _MICROSECOND
    except OverflowError:  # year 1 with a positive offset falls before year 1
        return math.nan
    return (micros * 1000 + getattr(value, "nanosecond", 0)) / 10**9


def _datetime64_seconds(value: Any) -> float:
    numpy = sys.modules["numpy"]
    if numpy.isnat(value):
        return math.nan
    unit, count = numpy.datetime_data(value.dtype)
    steps = int(value.astype("int64")) * count
    if unit in ("Y", "M"):  # calendar units: months differ in length
        year, month = divmod(steps * 12 if unit == "Y" else steps, 12)
        if not 1 <= 1970 + year <= 9999:
            return math.nan
        return datetime(1970 + year, month + 1, 1, tzinfo=UTC).timestamp()
    numerator, denominator = _UNIT_SECONDS[unit]
    return steps * numerator / denominator  # int / int: rounded once


def _timestamp(value: Any, row: int, oldest: float, newest: float) -> float:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"ts {value[:40]!r} is not an ISO 8601 time or epoch seconds", row=row, field="ts"
            ) from None
        if parsed.tzinfo is None:
            raise InvalidInput("ts must give a time zone, e.g. 2026-01-01T00:00:00Z", row=row, field="ts")
        try:
            ts = parsed.timestamp()  # microseconds / 10**6, rounded once
        except (OverflowError, ValueError):  # year 1 with a positive offset falls before year 1
            ts = math.nan
    elif isinstance(value, datetime):
        ts = _datetime_seconds(value, row)
    elif (number := _number(value)) is not None:
        ts = number
    elif (numpy := sys.modules.get("numpy")) is not None and isinstance(value, numpy.datetime64):
        ts = _datetime64_seconds(value)
    else:
        raise InvalidInput(
            f"ts must be epoch seconds, an ISO 8601 string or an aware datetime, got {type(value).__name__}",
            row=row,
            field="ts",
        )
    if not oldest <= ts <= newest:  # NaN fails too
        raise InvalidInput(
            f"ts {str(value)[:40]!r} is outside the accepted range (retention window to a little past now)",
            row=row,
            field="ts",
        )
    return ts


def _labels(value: Any, row: int, seen: dict[Any, str], max_bytes: int) -> str:
    # Label sets checked once per batch, as a batch repeats a few: keyed by their items, in their order.
    items = tuple(value.items()) if type(value) is dict else None
    try:
        return seen[items]
    except (KeyError, TypeError):  # not seen, or unhashable (a list value: refused below)
        pass
    if not isinstance(value, Mapping):
        raise InvalidInput(f"labels must be an object of strings, got {type(value).__name__}", row=row, field="labels")
    if len(value) > MAX_LABELS:
        raise InvalidInput(f"labels may have at most {MAX_LABELS} keys, got {len(value)}", row=row, field="labels")
    clean = {}
    for key, text in value.items():
        name = _clean_text(key, "a label name", MAX_LABEL_KEY_CHARS, row, "labels")
        if name in clean:  # two spellings of one name (NFC): which value would be meant?
            raise InvalidInput(f"label {name!r} appears twice (once spelt decomposed)", row=row, field="labels")
        clean[name] = _clean_text(text, f"label {name!r}", MAX_LABEL_VALUE_CHARS, row, "labels")
    text = canonical_labels(clean)
    size = len(text) if text.isascii() else len(text.encode())
    if size > max_bytes:
        raise InvalidInput(
            f"labels take {size} bytes as canonical JSON; at most {max_bytes} per point", row=row, field="labels"
        )
    if items is not None:
        seen[items] = text
    return text


def _fields(item: Any, row: int) -> Mapping[Any, Any]:
    """Return the fields of a point that is not a dict: a Point from Python code, or another Mapping."""
    if isinstance(item, Point):
        # A Point's labels are canonical JSON text already; read them back to check them as any others.
        labels: Any = item.labels or None
        if isinstance(labels, str):
            try:
                labels = json.loads(labels)
            except (ValueError, RecursionError):
                raise InvalidInput(
                    "labels of a Point must be canonical JSON text (live.model.canonical_labels)",
                    row=row,
                    field="labels",
                ) from None
        return {"series": item.series, "value": item.value, "ts": item.ts, "labels": labels}
    if isinstance(item, Mapping):
        return item
    raise InvalidInput(f"a point must be an object, got {type(item).__name__}", row=row)


def validate_points(
    items: Sequence[Any],
    *,
    now: float,
    oldest: float,
    newest: float,
    max_points: int,
    max_label_bytes: int = MAX_LABEL_BYTES,
) -> list[Point]:
    """Return every item as a Point (a missing ts is now), or raise InvalidInput for the first bad one."""
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence):
        raise InvalidInput(f"points must be a list of points, got {type(items).__name__}", field="points")
    if not items:
        raise InvalidInput("batch is empty: send at least one point", field="points")
    if len(items) > max_points:
        raise InvalidInput(f"batch has {len(items)} points; at most {max_points} per request", field="points")
    points = []
    names: dict[str, str] = {}  # series names already checked, as given and as stored: a batch repeats a few
    label_sets: dict[Any, str] = {}  # and label sets, by their items
    for row, item in enumerate(items):
        fields = item if type(item) is dict else _fields(item, row)
        if not FIELDS.issuperset(fields):
            name = min(str(key) for key in fields if key not in FIELDS)[:60]
            raise InvalidInput(f"unknown field {name!r}; a point has series, value, ts, labels", row=row, field=name)
        if "series" not in fields:
            raise InvalidInput("series is required", row=row, field="series")
        given = fields["series"]
        # type first: an unhashable list is no name
        series = names.get(given) if type(given) is str else None
        if series is None:
            series = _clean_text(given, "series", MAX_SERIES_CHARS, row, "series")
            if type(given) is str:
                names[given] = series
        if "value" not in fields:
            raise InvalidInput("value is required", row=row, field="value")
        value = fields["value"]
        # The common cases inline, as this runs per point: a float value, no ts or float epoch seconds.
        if type(value) is not float:
            value = _value(value, row)
        elif not math.isfinite(value):
            raise InvalidInput("value must be a finite number that fits in a double", row=row, field="value")
        ts = fields.get("ts")
        if ts is None:
            ts = now
        elif type(ts) is not float or not oldest <= ts <= newest:
            ts = _timestamp(ts, row, oldest, newest)
        labels = fields.get("labels")
        labels = "" if labels is None else _labels(labels, row, label_sets, max_label_bytes)
        # tuple.__new__ from C: Point's own __new__ is a Python function.
        points.append(tuple.__new__(Point, (series, ts, value, labels)))
    return points


def validate_groups(
    groups: Sequence[Sequence[Any]],
    *,
    now: float,
    oldest: float,
    newest: float,
    max_points: int,
    max_label_bytes: int = MAX_LABEL_BYTES,
) -> tuple[list[Point], dict[int, InvalidInput]]:
    """Return the points of every valid group, and why each other group was refused, by its index.

    For protocols that may acknowledge part of a request (OTLP's partial success): a group (one
    OTLP data point, which may stand for several points) is valid whole or refused whole. Too many
    points in all is still an InvalidInput for the whole request.
    """
    flat = [item for group in groups for item in group]
    if len(flat) > max_points:
        raise InvalidInput(f"batch has {len(flat)} points; at most {max_points} per request", field="points")
    if not flat:
        return [], {}
    limits = {"max_points": max_points, "max_label_bytes": max_label_bytes}
    try:  # the common case, all valid, in one pass
        return validate_points(flat, now=now, oldest=oldest, newest=newest, **limits), {}
    except InvalidInput:
        pass
    points: list[Point] = []
    refused: dict[int, InvalidInput] = {}
    for index, group in enumerate(groups):
        if group:
            try:
                points += validate_points(group, now=now, oldest=oldest, newest=newest, **limits)
            except InvalidInput as error:
                refused[index] = error
    return points, refused
