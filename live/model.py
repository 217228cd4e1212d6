"""What Pulseboard's data is: points, stored rows, commits, series keys and input errors (pure).

A series is a name plus a label set. Labels travel as canonical JSON text (keys sorted,
no spaces; "" when there are none), so a label set is one string to compare, store and
index. A series' key, the name of its trace on every screen, is the name followed by that
text: "cpu" or 'cpu{"host":"a"}'. Keys are made from name and labels, never parsed back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple


class Point(NamedTuple):
    """One measurement, validated: ts in seconds since the epoch, labels as canonical JSON or ""."""

    # A NamedTuple: immutable, and built in 0.6 µs against a frozen dataclass's 1.4 µs, which
    # counted in 5,000-point batches (BENCHMARKS.md, Ingest).

    series: str
    ts: float
    value: float
    labels: str = ""


class Row(NamedTuple):
    """A stored point as frames and figures need it: its event id, series, time and value."""

    id: int
    series: str
    labels: str
    ts: float
    value: float


@dataclass(frozen=True, slots=True)
class Commit:
    """Points stored in one transaction: ids first..last, in order.

    replayed: a batch stored before under the same idempotency key; its ids, no rows, and
    nothing new to fan out.
    """

    first: int
    last: int
    rows: tuple[Row, ...]
    replayed: bool = False


class Idempotency(NamedTuple):
    """A producer's key for one batch and a digest of what it sent: a retry is stored once."""

    key: str
    fingerprint: str


# A commit with no rows: it says "look in the store", for the framer's gap detection to fill.
WAKE = Commit(0, 0, ())


def canonical_labels(labels: Mapping[str, str] | None) -> str:
    """Return a label set as the one text that stands for it ("" for none)."""
    if not labels:
        return ""
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def label_dict(labels: str) -> dict[str, str]:
    """Return the label set a canonical text stands for."""
    return json.loads(labels) if labels else {}


def series_key(name: str, labels: str) -> str:
    """Return the key of a series: its name, then its canonical labels."""
    return name + labels


def row_key(row: Row) -> str:
    """Return the key of the series a row belongs to."""
    return row.series + row.labels


class InvalidInput(ValueError):
    """Input that cannot be stored; says which row and field, and why."""

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.row = row
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON error body."""
        body: dict[str, Any] = {"error": self.message}
        if self.row is not None:
            body["row"] = self.row
        if self.field is not None:
            body["field"] = self.field
        return body
