"""A playlist in a URL, `?playlist=a,b,c&interval=30s`: which dashboards a wall rotates, and how often (pure)."""

from __future__ import annotations

import re

MAX_DASHBOARDS = 20
DEFAULT_INTERVAL = 30.0
# Shorter than a glance is no use on a wall; longer than a day is not a rotation.
MIN_INTERVAL, MAX_INTERVAL = 5.0, 86_400.0
_INTERVAL = re.compile(r"([0-9]{1,6}(?:\.[0-9]{1,3})?)(ms|s|m|h)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def playlist_names(value: str) -> tuple[str, ...]:
    """Return the dashboards' names of `a,b,c`, in order; raise ValueError saying what is wrong."""
    names = tuple(part.strip() for part in value.split(","))
    if not value.strip() or "" in names:
        raise ValueError(f"give dashboard names separated by commas, as a,b,c; got {value[:80]!r}")
    if len(names) > MAX_DASHBOARDS:
        raise ValueError(f"at most {MAX_DASHBOARDS} dashboards, got {len(names)}")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"dashboard {twice[0][:80]!r} is named twice")
    return names


def interval_seconds(value: str | None) -> float:
    """Return the seconds each dashboard of a playlist is shown: `30s`, `2m`, `1h`, `45` (seconds), 30 if not given."""
    if value is None or not value.strip():
        return DEFAULT_INTERVAL
    match = _INTERVAL.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"interval: give a time such as 30s, 2m or 1h; got {value[:40]!r}")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"interval: {value.strip()} is outside {MIN_INTERVAL:g} s to {MAX_INTERVAL / 3600:g} h")
    return seconds
