"""CSV of raw points: a time (ISO 8601, UTC), the series name, a column per label name, the value (pure).

pandas earns its place here: it formats a chunk's times and values column by column, where
Python's csv module formats a row at a time, and it quotes label values that need it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from live.model import Row, label_dict

FIXED = ("time", "series", "value")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def label_columns(label_sets: Iterable[str]) -> list[str]:
    """Return the label names of the series exported, sorted: one column each."""
    return sorted({name for labels in label_sets for name in label_dict(labels)})


def _column(label: str) -> str:
    # A label called "time", "series" or "value" must not take the place of those columns.
    return f"label_{label}" if label in FIXED else label


def header(labels: Sequence[str]) -> str:
    """Return the CSV's first line."""
    return _frame([], labels).to_csv(index=False, lineterminator="\n")


def rows_csv(rows: Sequence[Row], labels: Sequence[str]) -> str:
    """Return the CSV lines of a chunk of rows (no header)."""
    return _frame(rows, labels).to_csv(index=False, header=False, lineterminator="\n", date_format=TIME_FORMAT)


def _frame(rows: Sequence[Row], labels: Sequence[str]) -> pd.DataFrame:
    sets = {text: label_dict(text) for text in {row.labels for row in rows}}
    columns: dict[str, object] = {
        # To the nearest microsecond: seconds as a double are 1764772800.122999... for .123.
        "time": pd.to_datetime(np.rint(np.array([row.ts for row in rows], dtype=float) * 1e6).astype(np.int64),
                               unit="us", utc=True),
        "series": [row.series for row in rows],
    }
    for label in labels:
        columns[_column(label)] = [sets[row.labels].get(label, "") for row in rows]
    # repr's shortest text that reads back as the same double: an export checks out exactly.
    columns["value"] = [repr(row.value) for row in rows]
    return pd.DataFrame(columns)
