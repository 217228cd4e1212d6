"""A history request's time range and series, read from its query string and checked (pure).

Times are epoch seconds ("1764772800.5"), ISO 8601 ("2026-12-03T13:00:00Z"; UTC when no offset
is given) or relative to now: "now", "now-6h", "now-15m", "now-7d" (units s, m, h, d, w). Every
refusal is an InvalidInput naming the parameter; a series that does not exist is a 404.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from live.model import InvalidInput

RELATIVE = re.compile(r"now(?:\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw]))?")
EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SERIES = 100  # series one request may name (or reach through names): a page's panel, a script's pick
MAX_POINTS = 20_000
DEFAULT_POINTS = 2_000
DEFAULT_FROM = "now-1h"
EXAMPLES = "epoch seconds, ISO 8601 such as 2026-12-03T13:00:00Z, or now, now-6h, now-15m, now-7d"


@dataclass(frozen=True)
class TimeRange:
    """A checked range: start < end, in epoch seconds, no older than retention."""

    start: float
    end: float


def parse_time(text: str, now: float, field: str) -> float:
    """Return the epoch seconds a time parameter stands for; raise InvalidInput naming `field`."""
    text = text.strip()
    relative = RELATIVE.fullmatch(text)
    if relative:
        sign, amount, unit = relative.groups()
        shift = float(amount) * UNITS[unit] if amount else 0.0
        return now - shift if sign == "-" else now + shift
    if EPOCH.fullmatch(text):
        seconds = float(text)
    else:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{field} must be {EXAMPLES}; got {text[:60]!r}", field=field, status=400) from None
        seconds = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    if not math.isfinite(seconds) or not 0 <= seconds < 1e11:
        raise InvalidInput(f"{field} is not a time Pulseboard can hold: {text[:60]!r}", field=field, status=400)
    return seconds


def time_range(start: str | None, end: str | None, *, now: float, retention: float) -> TimeRange:
    """Return the range `from`..`to` (defaults now-1h..now), checked against each other and retention."""
    first = parse_time(start if start is not None else DEFAULT_FROM, now, "from")
    last = parse_time(end if end is not None else "now", now, "to")
    if first >= last:
        raise InvalidInput(f"from must be before to (from {start!r}, to {end!r})", field="from", status=400)
    oldest = now - retention
    if first < oldest:
        raise InvalidInput(
            f"from reaches back past retention: points are kept {_span(retention)}, so from may be no earlier"
            f" than now-{int(retention)}s; got {start!r}",
            field="from",
            status=400,
        )
    return TimeRange(first, last)


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def points_wanted(text: str | None) -> int:
    """Return how many points a history answer may hold per series (`points`, default 2,000)."""
    if text is None:
        return DEFAULT_POINTS
    if not text.strip().isdigit() or not 10 <= int(text) <= MAX_POINTS:
        raise InvalidInput(f"points must be a whole number from 10 to {MAX_POINTS}, got {text[:20]!r}",
                           field="points", status=400)
    return int(text)


def check_asked(asked: Sequence[str]) -> None:
    """Refuse a request naming no series, or more than MAX_SERIES (before the store is asked anything)."""
    if not asked:
        raise InvalidInput("series is required: ?series=<name or series key>, repeated for more",
                           field="series", status=400)
    if len(asked) > MAX_SERIES:
        raise InvalidInput(f"series may be given at most {MAX_SERIES} times in one request, got {len(asked)}",
                           field="series", status=400)


def series_keys(asked: Sequence[str], stored: Mapping[str, tuple[str, str]]) -> list[str]:
    """Return the series keys asked for: a key names one series, a bare name every label set of it.

    Refused: none asked, more than MAX_SERIES (asked or reached), or one that names nothing (404).
    """
    check_asked(asked)
    keys: dict[str, None] = {}
    for wanted in asked:
        # A name first (every label set of it, as a panel draws it), else one series' key.
        found = [key for key, (name, _) in stored.items() if name == wanted] or ([wanted] if wanted in stored else [])
        if not found:
            raise InvalidInput(f"series {wanted[:200]!r} has no stored points", field="series", status=404)
        keys.update(dict.fromkeys(found))
    if len(keys) > MAX_SERIES:
        raise InvalidInput(f"series reach {len(keys)} series (label sets); at most {MAX_SERIES} a request",
                           field="series", status=400)
    return list(keys)
